// Command line → LoadTestOptions. Precedence: explicit flags, then --quick, then DEFAULTS.
import { parseArgs } from 'node:util'
import { flagValue } from '../src/cli-options.js'
import { CACHE_STRATEGIES, L1_POLICIES, type CacheStrategyName, type L1PolicyName } from '../src/config.js'
import { LoadTestOptionError } from '../src/errors.js'
import { anyNumber, loopbackHttpUrl } from '../src/value-rules.js'
import {
  DEFAULTS, QUICK, defaultOutDir, defaultScenarios, defaultTargets, OptionError, validateOptions, type ExternalTargetOptions, type LoadTestOptions
} from './options.js'
import { DEFAULT_TARGETS, TARGET_NAMES, type RedisMode, type TargetName } from './targets.js'
import { DEFAULT_SCENARIOS, SCENARIO_NAMES, type ScenarioName, type ZipfLaw } from './drive/scenarios.js'
import { SWEEP_DEFAULTS, SWEEP_TARGETS, sweepOptions, type SweepOptions } from './sweep/options.js'

export const USAGE = `Usage: npm run loadtest -- [options]

Starts the native stack (nginx → Node cluster → Redis, simulated provider) and measures every
target on every scenario, then writes results.json, results.md and report.html.

  --quick                 every target on zipf, 3 s runs, 1 repetition (< 60 s on 2 cores)
  --targets LIST          any of ${TARGET_NAMES.join(',')}
                          (default: ${DEFAULT_TARGETS.join(',')})
  --scenarios LIST        ${SCENARIO_NAMES.join(',')}
                          (default: ${DEFAULT_SCENARIOS.join(',')})
  --duration S            measured seconds per run (default ${DEFAULTS.durationSeconds})
  --warmup S              warm-up seconds before each run, not for cold (default ${DEFAULTS.warmupSeconds})
  --connections N         concurrent connections (default ${DEFAULTS.connections})
  --pipelining N          requests in flight per connection (default ${DEFAULTS.pipelining})
  --repetitions N         runs per target and scenario; median and spread reported (default ${DEFAULTS.repetitions})
  --rate N                fixed-rate mode: N req/s overall; latency also corrected for coordinated omission
  --timeout S             per-request timeout (default ${DEFAULTS.timeoutSeconds})
  --max-requests N        stop a run at N responses (default ${DEFAULTS.maxRequestsPerRun})
  --cities N              distinct cities in uniform/zipf/cold (default ${DEFAULTS.cities})
  --zipf-law L            population (weight = inhabitants) or rank (weight = 1/rank^s) (default ${DEFAULTS.zipfLaw})
  --zipf-exponent S       s of the rank law (default ${DEFAULTS.zipfExponent})
  --seed N                PRNG seed of the request paths (default ${DEFAULTS.seed})
  --storm-cities N        hot set of the expiry storms (default ${DEFAULTS.stormCities})
  --storm-ttl S           the app's CACHE_TTL_SECONDS in the expiry storms (default ${DEFAULTS.stormTtlSeconds})
  --stampede-connections N  simultaneous requests per stampede wave (default ${DEFAULTS.stampedeConnections})
  --stampede-waves N      stampede waves per run, one cold city each (default ${DEFAULTS.stampedeWaves})
  --outage-seconds S      origin-outage: how long the provider answers 503 (default ${DEFAULTS.outageSeconds})
  --workers N             app cluster workers (default ${DEFAULTS.workers})
  --edge-strategy S       app strategy behind the edge tier: ${CACHE_STRATEGIES.join(', ')} (default ${DEFAULTS.edgeStrategy})
  --redis MODE            single (one redis-server), cluster (3 masters + 3 replicas, 2 app instances;
                          targets named <target>@cluster) or both: each target that reads Redis on
                          each, with the ratio (default ${DEFAULTS.redis})
  --l1-policy LIST        L1 eviction policies to compare (${L1_POLICIES.join(', ')}): each target with an
                          L1 of ours runs once per policy, named <target>[l1=<policy>]
  --l1-entries N          the apps' L1_MAX_ENTRIES (small, so the policy decides what L1 keeps)
  --out DIR               output directory (default loadtest/results/<timestamp>)
  --record-trace FILE     write every request path sent, one per line (FILE.gz: gzipped), for
                          npm run bench -- policies
  --progress / --no-progress   live bars (default: when stdout is a terminal)

Curves (--sweep, native stack only; writes sweep.json, sweep.md and report.html):
  --sweep                 latency against offered load (10% to past saturation, corrected for
                          coordinated omission, the knee) for --targets (default ${SWEEP_TARGETS.join(',')}) on the
                          first of --scenarios (default zipf), then layered's cost against distinct
                          cities, workers × instances and answer size (< 5 min; --quick < 2 min)
  --p99-bound MS          the knee's bound on the corrected p99 (default ${SWEEP_DEFAULTS.p99BoundMs})

Against a stack that is already running (e.g. docker compose) instead of the native one:
  --target URL            base URL to load, http://127.0.0.1:PORT only
  --metrics-url URL       the app's internal metrics listener (default: http://<URL's host>:9464/metrics)
  --origin-url URL        the provider's /stats (default: none; origin calls then unknown)
  --label NAME            what the stack runs: ${TARGET_NAMES.filter((t) => t !== 'baseline').join(', ')} (default layered)
  --app-pid PID           cluster primary pid, for CPU and memory
`

/** A numeric flag; its bounds are the option's, checked by validateOptions. */
const number = (name: string, raw: string | undefined): number | undefined => flagValue(LoadTestOptionError, name, raw, anyNumber)

/** A comma-separated flag; each item is checked by validateOptions. */
function list<T extends string> (raw: string | undefined): T[] | undefined {
  return raw?.split(',').map((s) => s.trim()).filter((s) => s !== '') as T[] | undefined
}

export interface ParsedCommand {
  help: boolean
  options: Readonly<LoadTestOptions>
  /** --sweep: the curves instead of the comparison. @default null */
  sweep: Readonly<SweepOptions> | null
}

export function parseCommandLine (argv: readonly string[], stdoutIsTty: boolean, now = new Date()): ParsedCommand {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean' },
      targets: { type: 'string' },
      scenarios: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      pipelining: { type: 'string' },
      repetitions: { type: 'string' },
      rate: { type: 'string' },
      timeout: { type: 'string' },
      'max-requests': { type: 'string' },
      cities: { type: 'string' },
      'zipf-law': { type: 'string' },
      'zipf-exponent': { type: 'string' },
      seed: { type: 'string' },
      'storm-cities': { type: 'string' },
      'storm-ttl': { type: 'string' },
      'stampede-connections': { type: 'string' },
      'stampede-waves': { type: 'string' },
      'outage-seconds': { type: 'string' },
      workers: { type: 'string' },
      'edge-strategy': { type: 'string' },
      redis: { type: 'string' },
      'l1-policy': { type: 'string' },
      'l1-entries': { type: 'string' },
      out: { type: 'string' },
      'record-trace': { type: 'string' },
      sweep: { type: 'boolean' },
      'p99-bound': { type: 'string' },
      progress: { type: 'boolean' },
      'no-progress': { type: 'boolean' },
      target: { type: 'string' },
      'metrics-url': { type: 'string' },
      'origin-url': { type: 'string' },
      label: { type: 'string' },
      'app-pid': { type: 'string' }
    }
  })
  let external: ExternalTargetOptions | null = null
  const target = flagValue(LoadTestOptionError, 'target', values.target, loopbackHttpUrl)
  if (target !== undefined) {
    const url = target.replace(/\/$/, '')
    external = {
      url,
      // The app serves /metrics on its internal listener (METRICS_PORT, 9464), never through nginx.
      metricsUrl: values['metrics-url'] ?? `${new URL(url).protocol}//${new URL(url).hostname}:9464/metrics`,
      originStatsUrl: values['origin-url'] ?? null,
      label: (values.label ?? 'layered') as ExternalTargetOptions['label'],
      appPid: number('app-pid', values['app-pid']) ?? null
    }
  } else {
    for (const flag of ['metrics-url', 'origin-url', 'label', 'app-pid'] as const) {
      if (values[flag] !== undefined) throw new OptionError(flag, values[flag], 'only applies with --target')
    }
  }
  const quick = values.quick === true ? QUICK : {}
  const pick = <T>(flag: T | undefined, preset: T | undefined, fallback: T): T => flag ?? preset ?? fallback
  const options: LoadTestOptions = {
    targets: list<TargetName>(values.targets) ?? quick.targets ?? defaultTargets(external),
    scenarios: list<ScenarioName>(values.scenarios) ?? (quick.scenarios as ScenarioName[] | undefined) ?? defaultScenarios(external),
    durationSeconds: pick(number('duration', values.duration), quick.durationSeconds, DEFAULTS.durationSeconds),
    warmupSeconds: pick(number('warmup', values.warmup), quick.warmupSeconds, DEFAULTS.warmupSeconds),
    connections: pick(number('connections', values.connections), quick.connections, DEFAULTS.connections),
    pipelining: pick(number('pipelining', values.pipelining), quick.pipelining, DEFAULTS.pipelining),
    repetitions: pick(number('repetitions', values.repetitions), quick.repetitions, DEFAULTS.repetitions),
    rate: number('rate', values.rate) ?? DEFAULTS.rate,
    timeoutSeconds: pick(number('timeout', values.timeout), quick.timeoutSeconds, DEFAULTS.timeoutSeconds),
    maxRequestsPerRun: pick(number('max-requests', values['max-requests']), quick.maxRequestsPerRun, DEFAULTS.maxRequestsPerRun),
    cities: pick(number('cities', values.cities), quick.cities, DEFAULTS.cities),
    zipfLaw: pick(values['zipf-law'] as ZipfLaw | undefined, quick.zipfLaw, DEFAULTS.zipfLaw),
    zipfExponent: pick(number('zipf-exponent', values['zipf-exponent']), quick.zipfExponent, DEFAULTS.zipfExponent),
    seed: pick(number('seed', values.seed), quick.seed, DEFAULTS.seed),
    stormCities: pick(number('storm-cities', values['storm-cities']), quick.stormCities, DEFAULTS.stormCities),
    stormTtlSeconds: pick(number('storm-ttl', values['storm-ttl']), quick.stormTtlSeconds, DEFAULTS.stormTtlSeconds),
    stampedeConnections: pick(number('stampede-connections', values['stampede-connections']), quick.stampedeConnections, DEFAULTS.stampedeConnections),
    stampedeWaves: pick(number('stampede-waves', values['stampede-waves']), quick.stampedeWaves, DEFAULTS.stampedeWaves),
    outageSeconds: pick(number('outage-seconds', values['outage-seconds']), quick.outageSeconds, DEFAULTS.outageSeconds),
    workers: pick(number('workers', values.workers), quick.workers, DEFAULTS.workers),
    edgeStrategy: pick(values['edge-strategy'] as CacheStrategyName | undefined, quick.edgeStrategy, DEFAULTS.edgeStrategy),
    redis: pick(values.redis as RedisMode | undefined, quick.redis, DEFAULTS.redis),
    l1Policies: list<L1PolicyName>(values['l1-policy']) ?? DEFAULTS.l1Policies,
    l1MaxEntries: number('l1-entries', values['l1-entries']) ?? DEFAULTS.l1MaxEntries,
    outDir: values.out ?? defaultOutDir(now),
    progress: values['no-progress'] === true ? false : values.progress === true ? true : stdoutIsTty,
    quick: values.quick === true,
    recordTrace: values['record-trace'] ?? DEFAULTS.recordTrace,
    external
  }
  const validated = validateOptions(options)
  if (values.sweep !== true) {
    if (values['p99-bound'] !== undefined) throw new OptionError('p99-bound', values['p99-bound'], 'only applies with --sweep')
    return { help: values.help === true, options: validated, sweep: null }
  }
  if (external !== null) throw new OptionError('sweep', true, 'the sweep starts its own stacks: drop --target')
  const sweep = sweepOptions({
    quick: values.quick === true,
    targets: list<TargetName>(values.targets),
    scenarios: list<ScenarioName>(values.scenarios),
    p99BoundMs: number('p99-bound', values['p99-bound']),
    stepSeconds: number('duration', values.duration)
  })
  return { help: values.help === true, options: validated, sweep }
}
