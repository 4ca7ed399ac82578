// The ladder's options, defaults and validation in one place; the CLI maps flags onto them.
import { parseArgs } from 'node:util'
import { flagValue } from '../src/cli-options.js'
import { LadderOptionError } from '../src/errors.js'
import { integer, number, type Rule } from '../src/value-rules.js'

export interface LadderOptions {
  /** Measured seconds of one run of a rung. @default 5 (quick: 1.5) */
  durationSeconds: number
  /** Runs per rung, interleaved: round 1 runs every rung of an nginx configuration, then round 2…;
   * the figures are medians over the rounds, so a drift of the machine hits every rung alike, and
   * with three a single disturbed run cannot move a median. @default 3 (quick: 3) */
  rounds: number
  /** Unmeasured seconds of the same traffic before each measured run, after priming, at least.
   * @default 2 (quick: 1) */
  warmupSeconds: number
  /** …and then on until the app's CPU per request stops falling (a restarted app compiles and
   * collects its start-up garbage first), at most this long in all. @default 10 (quick: 6) */
  maxWarmupSeconds: number
  /** Seconds of the separate profiled run after each measured run. @default 5 (quick: 2) */
  profileSeconds: number
  /** Concurrent connections, every rung alike: modest, because rung 0 serves ~20 req/s. @default 16 */
  connections: number
  /** Distinct cities of the zipf scenario. @default 1000 (quick: 500) */
  cities: number
  /** App cluster workers. @default 2 */
  workers: number
  seed: number
  /** A request without an answer after this long is a timeout, s: rung 0 queues. @default 30 */
  timeoutSeconds: number
  /** The app's ORIGIN_TIMEOUT_MS in every rung: a reply may wait behind rung 0's scans. @default 10_000 */
  originTimeoutMs: number
  /** Measure the baseline target (the limit) at the end. @default true */
  baseline: boolean
  outDir: string
  quick: boolean
}

export const LADDER_DEFAULTS: Readonly<Omit<LadderOptions, 'outDir'>> = Object.freeze({
  durationSeconds: 5,
  rounds: 3,
  warmupSeconds: 2,
  maxWarmupSeconds: 10,
  profileSeconds: 5,
  connections: 16,
  cities: 1000,
  workers: 2,
  seed: 42,
  timeoutSeconds: 30,
  originTimeoutMs: 10_000,
  baseline: true,
  quick: false
})

/** `--quick`: about three and a half minutes on 2 cores. Explicit flags win. */
export const LADDER_QUICK: Readonly<Partial<LadderOptions>> = Object.freeze({
  durationSeconds: 1.5,
  rounds: 3,
  warmupSeconds: 1,
  maxWarmupSeconds: 6,
  profileSeconds: 1.5,
  cities: 500,
  quick: true
})

export const LADDER_USAGE = `Usage: npm run ladder -- [options]

Runs the same zipf workload (nginx → cluster) against each rung of the optimization ladder, in
one run and in interleaved rounds (medians reported), profiles one worker per rung in a short
run after its first measured one, measures the baseline (the limit) in every round, and writes
ladder.json, ladder.md and ladder.html.

  --quick                3 rounds of 1.5 s, 1–6 s warm-up, 1.5 s profiles, 500 cities (~3.5 minutes)
  --duration S           measured seconds of one run (default ${LADDER_DEFAULTS.durationSeconds})
  --rounds N             runs per rung, interleaved across rungs; medians (default ${LADDER_DEFAULTS.rounds})
  --warmup S             warm-up seconds before each measured run, at least (default ${LADDER_DEFAULTS.warmupSeconds})
  --max-warmup S         …then until the app's CPU per request settles, at most (default ${LADDER_DEFAULTS.maxWarmupSeconds})
  --profile-seconds S    profiled run per rung (default ${LADDER_DEFAULTS.profileSeconds})
  --connections N        concurrent connections, every rung (default ${LADDER_DEFAULTS.connections})
  --cities N             distinct cities of the zipf scenario (default ${LADDER_DEFAULTS.cities})
  --workers N            app cluster workers (default ${LADDER_DEFAULTS.workers})
  --seed N               PRNG seed of the request paths (default ${LADDER_DEFAULTS.seed})
  --no-baseline          skip the limit target
  --out DIR              output directory (default ladder/results/<timestamp>)
`

const flag = <T>(name: string, raw: string | undefined, rule: Rule<T>): T | undefined => flagValue(LadderOptionError, name, raw, rule)

export function parseLadderArgs (argv: readonly string[], now = new Date()): { help: boolean, options: Readonly<LadderOptions> } {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      'max-warmup': { type: 'string' },
      'profile-seconds': { type: 'string' },
      connections: { type: 'string' },
      cities: { type: 'string' },
      workers: { type: 'string' },
      seed: { type: 'string' },
      'no-baseline': { type: 'boolean' },
      out: { type: 'string' }
    }
  })
  const explicit: Partial<LadderOptions> = {}
  const set = <K extends keyof LadderOptions>(key: K, value: LadderOptions[K] | undefined): void => { if (value !== undefined) explicit[key] = value }
  set('durationSeconds', flag('duration', values.duration, number(0.5, 600)))
  set('rounds', flag('rounds', values.rounds, integer(1, 20)))
  set('warmupSeconds', flag('warmup', values.warmup, number(0, 120)))
  set('maxWarmupSeconds', flag('max-warmup', values['max-warmup'], number(0, 300)))
  set('profileSeconds', flag('profile-seconds', values['profile-seconds'], number(0.5, 120)))
  set('connections', flag('connections', values.connections, integer(1, 256)))
  set('cities', flag('cities', values.cities, integer(1, 100_000)))
  set('workers', flag('workers', values.workers, integer(1, 64)))
  set('seed', flag('seed', values.seed, integer(0, 2 ** 32 - 1)))
  if (values['no-baseline'] === true) explicit.baseline = false
  const outDir = values.out ?? `ladder/results/${now.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}`
  const options: LadderOptions = { ...LADDER_DEFAULTS, ...(values.quick === true ? LADDER_QUICK : {}), ...explicit, outDir }
  if (options.maxWarmupSeconds < options.warmupSeconds) options.maxWarmupSeconds = options.warmupSeconds
  return { help: values.help === true, options: Object.freeze(options) }
}
