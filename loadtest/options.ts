// Every option of the load test, its default and its validation, in one place. The CLI maps
// flags onto these; the runner receives them validated and frozen.
import { optionProblem, optionValue } from '../src/cli-options.js'
import { CACHE_STRATEGIES, L1_POLICIES, type CacheStrategyName, type L1PolicyName } from '../src/config.js'
import { LoadTestOptionError } from '../src/errors.js'
import { integer, loopbackHttpUrl, number, oneOf, type Rule } from '../src/value-rules.js'
import { DEFAULT_TARGETS, REDIS_MODES, TARGET_NAMES, type RedisMode, type TargetName } from './targets.js'
import { DEFAULT_SCENARIOS, NATIVE_ONLY_SCENARIOS, SCENARIO_NAMES, STORM_DEFAULTS, ZIPF_LAWS, type ScenarioName, type ZipfLaw } from './drive/scenarios.js'

export interface ExternalTargetOptions {
  /** Base URL the load goes to (nginx of a compose stack), e.g. http://127.0.0.1:8080. */
  url: string
  /** The app's Prometheus endpoint: its internal metrics listener. @default http://<url's host>:9464/metrics */
  metricsUrl: string
  /** The provider's /stats, for origin calls. @default none: origin calls come from the app's metrics */
  originStatsUrl: string | null
  /** What the running stack is (its CACHE_STRATEGY, or edge): the name its results carry. @default 'layered' */
  label: Exclude<TargetName, 'baseline'>
  /** Cluster primary pid, for CPU and memory. @default none: not measured */
  appPid: number | null
}

export interface LoadTestOptions {
  /** What to measure, in this order. @default DEFAULT_TARGETS (native); baseline and label (external; baseline needs EXPOSE_BASELINE=true there) */
  targets: readonly TargetName[]
  /** @default hot, uniform, zipf, cold (external: no cold, which needs a restart); stampede and the expiry storms only when named */
  scenarios: readonly ScenarioName[]
  /** Measured seconds per run. @default 10 */
  durationSeconds: number
  /** Unmeasured seconds of the same traffic right before each run, after one request per distinct path (not for cold). @default 3 */
  warmupSeconds: number
  /** Concurrent connections. @default 50 */
  connections: number
  /** Requests in flight per connection. @default 1 */
  pipelining: number
  /** Runs per (target, scenario); the report gives the median and the spread. @default 3 */
  repetitions: number
  /** Fixed-rate mode: requests per second over all connections (autocannon overallRate); null = as fast as possible. @default null */
  rate: number | null
  /** A request without an answer after this long counts as a timeout. @default 10 */
  timeoutSeconds: number
  /** A run stops at this many responses even before its duration ends (bounds memory too). @default 5_000_000 */
  maxRequestsPerRun: number
  /** Distinct cities in uniform, zipf and cold (the most populous ones). @default 1000 */
  cities: number
  /** @default 'population' */
  zipfLaw: ZipfLaw
  /** Exponent of the rank law. @default 1 */
  zipfExponent: number
  /** PRNG seed of the request paths. @default 42 */
  seed: number
  /** Hot set of expiry-storm and expiry-storm-jittered (the most populous cities). @default 200 */
  stormCities: number
  /** The app's CACHE_TTL_SECONDS during the expiry storms. @default 3 */
  stormTtlSeconds: number
  /** Simultaneous requests per stampede wave (its own connection count). @default 200 */
  stampedeConnections: number
  /** Stampede waves per run, one cold city each. @default 5 */
  stampedeWaves: number
  /** How long the provider answers 503 in origin-outage (after 1 s, followed by 3 s of recovery). @default 5 */
  outageSeconds: number
  /** Cluster workers of the native stack. @default 2 */
  workers: number
  /** The app strategy behind the edge tier. @default 'layered' */
  edgeStrategy: CacheStrategyName
  /** L2 of the native stacks: one redis-server, the Redis Cluster (3 masters + 3 replicas, 2 app
   * instances; targets named `<target>@cluster`), or both — each target that reads Redis measured
   * on each, side by side. @default 'single' */
  redis: RedisMode
  /** L1 eviction policies to compare: every target with an L1 of ours runs once per policy, named
   * `<target>[l1=<policy>]`. @default null: each target runs once, with the service's default */
  l1Policies: readonly L1PolicyName[] | null
  /** L1_MAX_ENTRIES of every target's app (small, so that the policy decides what L1 keeps). @default null: the service's default */
  l1MaxEntries: number | null
  /** Where results.json, results.md and report.html go. @default loadtest/results/<timestamp> */
  outDir: string
  /** Live progress bars (else one line per run). @default whether stdout is a TTY (the CLI decides) */
  progress: boolean
  /** The --quick preset is applied (recorded in the results). @default false */
  quick: boolean
  /** Write every request path sent, one per line, to this file (.gz: gzipped): a trace for the
   * L1 policy simulator (`npm run bench -- policies`). @default null: nothing recorded */
  recordTrace: string | null
  /** Load an already running stack instead of starting the native one. @default null */
  external: ExternalTargetOptions | null
}

export const DEFAULTS: Readonly<Omit<LoadTestOptions, 'outDir' | 'external' | 'targets' | 'scenarios' | 'progress'>> = Object.freeze({
  durationSeconds: 10,
  warmupSeconds: 3,
  connections: 50,
  pipelining: 1,
  repetitions: 3,
  rate: null,
  timeoutSeconds: 10,
  maxRequestsPerRun: 5_000_000,
  cities: 1000,
  zipfLaw: 'population',
  zipfExponent: 1,
  seed: 42,
  ...STORM_DEFAULTS,
  workers: 2,
  edgeStrategy: 'layered',
  redis: 'single',
  l1Policies: null,
  l1MaxEntries: null,
  quick: false,
  recordTrace: null
})

/** `--quick`: under 60 s on 2 cores, every target on the realistic scenario. Explicit flags win. */
export const QUICK: Readonly<Partial<LoadTestOptions>> = Object.freeze<Partial<LoadTestOptions>>({
  scenarios: ['zipf'],
  durationSeconds: 3,
  // Priming (one request per path) warms the caches; this warms the JIT and connections.
  warmupSeconds: 0.5,
  repetitions: 1,
  cities: 500,
  quick: true
})

export function defaultTargets (external: ExternalTargetOptions | null): TargetName[] {
  return external === null ? [...DEFAULT_TARGETS] : ['baseline', external.label]
}

export function defaultScenarios (external: ExternalTargetOptions | null): ScenarioName[] {
  return external === null ? [...DEFAULT_SCENARIOS] : DEFAULT_SCENARIOS.filter((s) => !NATIVE_ONLY_SCENARIOS.includes(s))
}

export function defaultOutDir (now = new Date()): string {
  return `loadtest/results/${now.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}`
}

/** Load goes to this machine only: a load test must never hit someone else's server. */
export function assertLoopback (name: string, raw: string): URL {
  return new URL(check(name, raw, loopbackHttpUrl))
}

/** CS_ERR_LOADTEST_OPTION, named `name=<value>: <problem>`. */
export class OptionError extends LoadTestOptionError {
  constructor (name: string, value: unknown, problem: string) {
    super(optionProblem(name, value, problem))
  }
}

const check = <T>(name: string, value: unknown, rule: Rule<T>): T => optionValue(LoadTestOptionError, name, value, rule)

/** Validates every field with a message naming it and the bad value; returns a frozen copy. */
export function validateOptions (options: LoadTestOptions): Readonly<LoadTestOptions> {
  const o = options
  // The label names the targets list's default, so it is checked first.
  if (o.external !== null) check('label', o.external.label, oneOf(TARGET_NAMES.filter((t) => t !== 'baseline')))
  check('duration', o.durationSeconds, number(0.5, 3600))
  check('warmup', o.warmupSeconds, number(0, 600))
  check('connections', o.connections, integer(1, 10_000))
  check('pipelining', o.pipelining, integer(1, 100))
  check('repetitions', o.repetitions, integer(1, 100))
  if (o.rate !== null) check('rate', o.rate, integer(1, 10_000_000))
  if (o.rate !== null && o.rate < o.connections) {
    throw new OptionError('rate', o.rate, `expected at least one request per second per connection (connections=${o.connections})`)
  }
  check('timeout', o.timeoutSeconds, number(0.1, 600))
  check('max-requests', o.maxRequestsPerRun, integer(1, 50_000_000))
  check('cities', o.cities, integer(1, 100_000))
  check('zipf-law', o.zipfLaw, oneOf(ZIPF_LAWS))
  check('zipf-exponent', o.zipfExponent, number(0, 10))
  check('seed', o.seed, integer(0, 2 ** 32 - 1))
  check('storm-cities', o.stormCities, integer(1, 100_000))
  // Under 2 s the window around one expiry (1 s before, 2 s after) would reach the next one.
  check('storm-ttl', o.stormTtlSeconds, integer(2, 600))
  check('stampede-connections', o.stampedeConnections, integer(1, 10_000))
  check('stampede-waves', o.stampedeWaves, integer(1, 100))
  check('outage-seconds', o.outageSeconds, integer(1, 600))
  check('workers', o.workers, integer(1, 64))
  check('edge-strategy', o.edgeStrategy, oneOf(CACHE_STRATEGIES))
  check('redis', o.redis, oneOf(REDIS_MODES))
  if (o.external !== null && o.redis !== 'single') {
    throw new OptionError('redis', o.redis, 'only the native stack can be started on a Redis Cluster; drop it with --target')
  }
  if (o.l1Policies !== null) {
    if (o.l1Policies.length === 0) throw new OptionError('l1-policy', '', `expected some of ${L1_POLICIES.join(', ')}`)
    for (const p of o.l1Policies) check('l1-policy', p, oneOf(L1_POLICIES))
    if (new Set(o.l1Policies).size !== o.l1Policies.length) throw new OptionError('l1-policy', o.l1Policies.join(','), 'expected each policy once')
  }
  if (o.l1MaxEntries !== null) check('l1-entries', o.l1MaxEntries, integer(1, 10_000_000))
  if (o.external !== null && (o.l1Policies !== null || o.l1MaxEntries !== null)) {
    throw new OptionError(o.l1Policies !== null ? 'l1-policy' : 'l1-entries', o.l1Policies?.join(',') ?? o.l1MaxEntries,
      'the running stack keeps its own configuration; only the native stack is restarted with another L1')
  }
  if (o.recordTrace !== null && o.recordTrace.trim() === '') throw new OptionError('record-trace', o.recordTrace, 'expected a file name')
  if (o.targets.length === 0) throw new OptionError('targets', o.targets.join(','), 'expected at least one target')
  if (o.scenarios.length === 0) throw new OptionError('scenarios', o.scenarios.join(','), 'expected at least one scenario')
  for (const t of o.targets) check('targets', t, oneOf(TARGET_NAMES))
  for (const s of o.scenarios) check('scenarios', s, oneOf(SCENARIO_NAMES))
  if (new Set(o.targets).size !== o.targets.length) throw new OptionError('targets', o.targets.join(','), 'expected each target once')
  if (new Set(o.scenarios).size !== o.scenarios.length) throw new OptionError('scenarios', o.scenarios.join(','), 'expected each scenario once')
  if (o.external !== null) {
    assertLoopback('target', o.external.url)
    assertLoopback('metrics-url', o.external.metricsUrl)
    if (o.external.originStatsUrl !== null) assertLoopback('origin-url', o.external.originStatsUrl)
    const native = o.scenarios.filter((s) => NATIVE_ONLY_SCENARIOS.includes(s))
    if (native.length > 0) {
      throw new OptionError('scenarios', native.join(','), `${native.join(', ')} need${native.length === 1 ? 's' : ''} the native stack ` +
        `(restarts the app with its own environment, flushes Redis); drop ${native.length === 1 ? 'it' : 'them'} with --target`)
    }
    if (o.external.appPid !== null) check('app-pid', o.external.appPid, integer(1, 2 ** 22))
    const extra = o.targets.filter((t) => t !== 'baseline' && t !== o.external!.label)
    if (extra.length > 0) {
      throw new OptionError('targets', extra.join(','), `with --target only '${o.external.label}' (the running configuration) and 'baseline' can be measured`)
    }
  }
  return Object.freeze({
    ...o,
    targets: Object.freeze([...o.targets]),
    scenarios: Object.freeze([...o.scenarios]),
    l1Policies: o.l1Policies === null ? null : Object.freeze([...o.l1Policies]),
    external: o.external === null ? null : Object.freeze({ ...o.external })
  })
}
