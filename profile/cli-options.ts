// `npm run profile`'s options: defaults and validation in one place, flags mapped onto them.
import { parseArgs } from 'node:util'
import { flagValue } from '../src/cli-options.js'
import { CACHE_STRATEGIES, NAIVE_COMPONENTS, naiveList, type CacheStrategyName, type NaiveComponent } from '../src/config.js'
import { ProfileOptionError } from '../src/errors.js'
import { integer, loopbackHttpUrl, number, oneOf, type Rule } from '../src/value-rules.js'

/** Steady scenarios of the load-test harness (the cold, stampede and storm ones need their own choreography). */
export const PROFILE_SCENARIOS = ['hot', 'uniform', 'zipf'] as const
export type ProfileScenario = typeof PROFILE_SCENARIOS[number]

export interface ProfileCliOptions {
  /** Profiled (and measured) seconds of load. @default 10 (quick: 3) */
  durationSeconds: number
  /** Unmeasured seconds before the profile starts, after priming. @default 2 (quick: 0.5) */
  warmupSeconds: number
  /** @default 'zipf' */
  scenario: ProfileScenario
  /** The app's CACHE_STRATEGY. @default 'layered' */
  strategy: CacheStrategyName
  /** NAIVE=… components (the ladder's rungs). @default [] */
  naive: readonly NaiveComponent[]
  /** App cluster workers; worker 1 is profiled. @default 2 */
  workers: number
  /** @default 16 */
  connections: number
  /** Distinct cities of uniform and zipf. @default 1000 (quick: 500) */
  cities: number
  seed: number
  /** Rows per table. @default 15 */
  top: number
  /** Attach instead of starting a stack: nginx (or app) base URL, 127.0.0.1 only. The app must run with the profiling preload. */
  target: string | null
  /** With --target: the app's CACHESTACK_PROFILE_DIR. */
  profileDir: string | null
  outDir: string
  quick: boolean
  /** The line view (kernprof -l -v) of this many of our own functions, most self time first; 0 for none. @default 0 (a bare --lines: 5) */
  lines: number
  /** Summarize this recorded profile instead of running a load. */
  summarize: string | null
  /** The checkout whose dist/ and sources a profile's scripts map onto. @default the current directory */
  root: string | null
  /** Have the profiled worker write a heap snapshot at the end; print the largest retainers. @default false */
  heapSnapshot: boolean
  /** Wrap this function in the profiled worker and measure the heap used around its calls (perturbs the run). @default null */
  heapDelta: string | null
}

export const PROFILE_CLI_DEFAULTS = Object.freeze({
  durationSeconds: 10,
  warmupSeconds: 2,
  scenario: 'zipf' as ProfileScenario,
  strategy: 'layered' as CacheStrategyName,
  naive: Object.freeze([]) as readonly NaiveComponent[],
  workers: 2,
  connections: 16,
  cities: 1000,
  seed: 42,
  top: 15,
  target: null,
  profileDir: null,
  quick: false,
  lines: 0,
  summarize: null,
  root: null,
  heapSnapshot: false,
  heapDelta: null
})

/** Functions in the line view of a bare `--lines`. */
export const DEFAULT_LINE_FUNCTIONS = 5

export const PROFILE_QUICK = Object.freeze({ durationSeconds: 3, warmupSeconds: 0.5, cities: 500, quick: true })

export const PROFILE_USAGE = `Usage: npm run profile -- [options]

Starts the native stack (nginx → cluster, Redis, simulated provider) with worker 1 armed for
profiling, drives a scenario through the load-test harness, profiles that worker while the load
runs, and prints the top functions (self and total time), allocation sites, memory over time of
every worker, GC and event-loop figures. Writes <label>.cpuprofile, .flame.html, .memory.html (memory
over time as a chart), .heapprofile and .runtime.json.

  --quick               3 s of load after 0.5 s of warm-up, 500 cities
  --duration S          profiled seconds (default ${PROFILE_CLI_DEFAULTS.durationSeconds})
  --warmup S            warm-up seconds, after priming (default ${PROFILE_CLI_DEFAULTS.warmupSeconds})
  --scenario NAME       ${PROFILE_SCENARIOS.join(', ')} (default ${PROFILE_CLI_DEFAULTS.scenario})
  --strategy NAME       ${CACHE_STRATEGIES.join(', ')} (default ${PROFILE_CLI_DEFAULTS.strategy})
  --naive LIST          ${NAIVE_COMPONENTS.join(',')} or all (default none)
  --workers N           app workers; worker 1 is profiled (default ${PROFILE_CLI_DEFAULTS.workers})
  --connections N       (default ${PROFILE_CLI_DEFAULTS.connections})
  --cities N            distinct cities of uniform and zipf (default ${PROFILE_CLI_DEFAULTS.cities})
  --top N               rows per table (default ${PROFILE_CLI_DEFAULTS.top})
  --out DIR             output directory (default profiles/<timestamp>)
  --lines [N]           after the tables, the line view (cf. kernprof -l -v) of the top N functions of our own
                        code by self time: each function's TypeScript lines (mapped back from dist/ through the
                        source maps) with the samples on each (default N ${DEFAULT_LINE_FUNCTIONS}). The flame graph shows the same
                        view for any of our functions you click.
  --heap-snapshot       at the end of the run the profiled worker writes <label>.heapsnapshot (V8 runs a full GC and
                        the worker is blocked while it writes); prints the largest retainers by constructor: count,
                        shallow and retained size (from the dominator tree; weak references do not retain)
  --heap-delta NAME     wrap NAME in the profiled worker and report the heap used before/after each of its calls:
                        count, mean/median/max bytes, total. NAME: a function (resolveCity), a class method or
                        getter (CityIndex.resolve), or FILE:NAME. It PERTURBS the run (two heap reads and one frame
                        per call, a module-loader thread): the profiles of that run are of the perturbed worker

Summarize a recorded profile instead (no load run; the load options do not apply):
  --summarize FILE      a .cpuprofile (tables, and the line view with --lines), a .heapprofile (allocation sites)
                        or a .heapsnapshot (the largest retainers)
  --root DIR            the checkout whose dist/ the profile's scripts map onto, by their path under dist/
                        (default the current directory)

Attach to a running app instead (started with NODE_OPTIONS=--import=<dist>/src/profile-agent/preload.js
and CACHESTACK_PROFILE_DIR=<dir>):
  --target URL          http://127.0.0.1:PORT to load
  --profile-dir DIR     that app's CACHESTACK_PROFILE_DIR
`

const flag = <T>(name: string, raw: string | undefined, rule: Rule<T>): T | undefined => flagValue(ProfileOptionError, name, raw, rule)

/**
 * `--lines` takes an optional count, which parseArgs cannot express: a bare `--lines` (the last
 * argument, or followed by another flag) becomes `--lines=5`; `--lines 3` and `--lines=3` stay.
 */
function withLineCount (argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const next = argv[i + 1]
    return arg === '--lines' && (next === undefined || next.startsWith('-')) ? `--lines=${DEFAULT_LINE_FUNCTIONS}` : arg
  })
}

export function parseProfileArgs (argv: readonly string[], now = new Date()): { help: boolean, options: Readonly<ProfileCliOptions> } {
  const { values } = parseArgs({
    args: withLineCount(argv),
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      scenario: { type: 'string' },
      strategy: { type: 'string' },
      naive: { type: 'string' },
      workers: { type: 'string' },
      connections: { type: 'string' },
      cities: { type: 'string' },
      seed: { type: 'string' },
      top: { type: 'string' },
      target: { type: 'string' },
      'profile-dir': { type: 'string' },
      out: { type: 'string' },
      lines: { type: 'string' },
      summarize: { type: 'string' },
      root: { type: 'string' },
      'heap-snapshot': { type: 'boolean' },
      'heap-delta': { type: 'string' }
    }
  })
  const explicit: Partial<ProfileCliOptions> = {}
  const set = <K extends keyof ProfileCliOptions>(key: K, value: ProfileCliOptions[K] | undefined): void => { if (value !== undefined) explicit[key] = value }
  set('durationSeconds', flag('duration', values.duration, number(0.5, 600)))
  set('warmupSeconds', flag('warmup', values.warmup, number(0, 120)))
  set('scenario', flag('scenario', values.scenario, oneOf(PROFILE_SCENARIOS)))
  set('strategy', flag('strategy', values.strategy, oneOf(CACHE_STRATEGIES)))
  set('workers', flag('workers', values.workers, integer(1, 64)))
  set('connections', flag('connections', values.connections, integer(1, 1024)))
  set('cities', flag('cities', values.cities, integer(1, 100_000)))
  set('seed', flag('seed', values.seed, integer(0, 2 ** 32 - 1)))
  set('top', flag('top', values.top, integer(1, 200)))
  set('lines', flag('lines', values.lines, integer(1, 100)))
  if (values.summarize !== undefined) {
    if (values.summarize === '') throw new ProfileOptionError('--summarize needs a .cpuprofile or .heapprofile file')
    if ((values.summarize.endsWith('.heapprofile') || values.summarize.endsWith('.heapsnapshot')) && values.lines !== undefined) {
      throw new ProfileOptionError('--lines needs a .cpuprofile: a heap profile or snapshot has no line samples')
    }
    if (values.target !== undefined) throw new ProfileOptionError('--summarize reads a recorded profile; --target profiles a running app: one or the other')
    if (values['heap-snapshot'] === true || values['heap-delta'] !== undefined) {
      throw new ProfileOptionError('--heap-snapshot and --heap-delta record a run; --summarize reads a recorded file ' +
        '(--summarize FILE.heapsnapshot for a snapshot)')
    }
    explicit.summarize = values.summarize
  }
  if (values.root !== undefined) explicit.root = values.root
  if (values['heap-snapshot'] === true) explicit.heapSnapshot = true
  if (values['heap-delta'] !== undefined) {
    if (values['heap-delta'] === '') throw new ProfileOptionError('--heap-delta needs a function name')
    // The wrapper is installed as the worker starts (a module load hook): an app started elsewhere has none.
    if (values.target !== undefined) {
      throw new ProfileOptionError('--heap-delta wraps the function as the app starts: it needs the stack npm run profile starts, not --target')
    }
    explicit.heapDelta = values['heap-delta']
  }
  set('naive', flag('naive', values.naive, naiveList))
  const target = flag('target', values.target, loopbackHttpUrl)
  if (target !== undefined) {
    if (values['profile-dir'] === undefined) throw new ProfileOptionError('--target needs --profile-dir: the CACHESTACK_PROFILE_DIR the app was started with')
    explicit.target = target.replace(/\/$/, '')
    explicit.profileDir = values['profile-dir']
  } else if (values['profile-dir'] !== undefined) {
    throw new ProfileOptionError('--profile-dir only goes with --target (a started stack profiles into --out)')
  }
  const outDir = values.out ?? `profiles/${now.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}`
  const options: ProfileCliOptions = { ...PROFILE_CLI_DEFAULTS, ...(values.quick === true ? PROFILE_QUICK : {}), ...explicit, outDir }
  return { help: values.help === true, options: Object.freeze(options) }
}
