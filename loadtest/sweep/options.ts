// `npm run loadtest -- --sweep`: the curves a performance engineer asks for first (issue 18).
// Its own settings, defaulted and validated here; what it shares with a plain run (connections,
// timeouts, the zipf law, --cities, --workers, --out) stays in LoadTestOptions.
import { optionValue } from '../../src/cli-options.js'
import { LoadTestOptionError } from '../../src/errors.js'
import { integer, number } from '../../src/value-rules.js'
import { OptionError } from '../options.js'
import type { TargetName } from '../targets.js'
import type { ScenarioName } from '../drive/scenarios.js'

/** The latency curves run on a steady scenario: one traffic shape at every rate. */
export const SWEEP_SCENARIOS = ['hot', 'uniform', 'zipf'] as const
export type SweepScenario = typeof SWEEP_SCENARIOS[number]

export interface Topology {
  /** Cluster workers per app instance. */
  workers: number
  /** App instances behind nginx. */
  instances: number
}

export interface SweepOptions {
  /** Targets of the latency curves, in order. @default baseline (the limit), layered, edge */
  targets: readonly TargetName[]
  /** Traffic of the latency curves. @default 'zipf' */
  scenario: SweepScenario
  /** The knee is the highest offered rate whose corrected p99 stays at or under this, ms. @default 20 */
  p99BoundMs: number
  /** Offered rates as fractions of the closed-loop maximum, 10% to past saturation. @default 0.1 … 1.3 (9 steps; quick: 5) */
  fractions: readonly number[]
  /** Seconds of each offered rate: whole seconds, since autocannon releases each second's budget at
   * its start (a 1.5 s step would get two budgets). @default 3 (quick 1) */
  stepSeconds: number
  /** Seconds of each cost point (closed loop). @default 3 (quick 1) */
  costSeconds: number
  /** Seconds of the closed-loop run that finds the maximum. @default 2 (quick 1) */
  probeSeconds: number
  /** Warm-up before each curve's closed-loop run and each cost point. @default 1 (quick 0.25) */
  warmupSeconds: number
  /** Distinct cities of the cost curve, uniform traffic; 0 = every addressable city. @default 10, 1000, 10000, all (quick: 10, 1000, all) */
  cityCounts: readonly number[]
  /** Workers × instances of the cost curve. @default 1×1, 2×1, 1×2, 2×2 */
  topologies: readonly Topology[]
  /** Answer sizes of the cost curve, bytes (the stored answer padded). @default 1 KB, 10 KB, 100 KB */
  sizes: readonly number[]
  /** Cities per cost point of the topology and size curves. @default 1000 */
  costCities: number
}

export const SWEEP_DEFAULTS: Readonly<Omit<SweepOptions, 'targets'>> = Object.freeze({
  scenario: 'zipf',
  p99BoundMs: 20,
  fractions: Object.freeze([0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1, 1.15, 1.3]),
  stepSeconds: 3,
  costSeconds: 3,
  probeSeconds: 2,
  warmupSeconds: 1,
  cityCounts: Object.freeze([10, 1000, 10_000, 0]),
  topologies: Object.freeze([{ workers: 1, instances: 1 }, { workers: 2, instances: 1 }, { workers: 1, instances: 2 }, { workers: 2, instances: 2 }]),
  sizes: Object.freeze([1024, 10 * 1024, 100 * 1024]),
  costCities: 1000
})

/** `--sweep --quick`: under 2 minutes on 2 cores. */
export const SWEEP_QUICK: Readonly<Partial<SweepOptions>> = Object.freeze({
  fractions: Object.freeze([0.1, 0.4, 0.7, 1, 1.3]),
  // One second's budget per rate: a coarse curve, but every point of the full one.
  stepSeconds: 1,
  // Without the 10,000-city point (its L1 priming and run take ~7 s): 1,000 (in L1) against
  // every city (mostly L2) still shows where L1 stops holding the working set.
  cityCounts: Object.freeze([10, 1000, 0]),
  costSeconds: 1,
  probeSeconds: 1,
  warmupSeconds: 0.25
})

export const SWEEP_TARGETS: readonly TargetName[] = Object.freeze(['baseline', 'layered', 'edge'])

export interface SweepFlags {
  quick: boolean
  /** --targets, when given. */
  targets?: readonly TargetName[] | undefined
  /** --scenarios, when given: the first is the curves' traffic. */
  scenarios?: readonly ScenarioName[] | undefined
  /** --p99-bound, when given. */
  p99BoundMs?: number | undefined
  /** --duration, when given: seconds per step. */
  stepSeconds?: number | undefined
}

export function sweepOptions (flags: SweepFlags): Readonly<SweepOptions> {
  const preset = flags.quick ? SWEEP_QUICK : {}
  const scenario = flags.scenarios?.[0] ?? SWEEP_DEFAULTS.scenario
  if (!(SWEEP_SCENARIOS as readonly string[]).includes(scenario)) {
    throw new OptionError('scenarios', scenario, `the sweep runs on a steady scenario: one of ${SWEEP_SCENARIOS.join(', ')}`)
  }
  if (flags.scenarios !== undefined && flags.scenarios.length > 1) {
    throw new OptionError('scenarios', flags.scenarios.join(','), 'the sweep runs on one scenario')
  }
  const o: SweepOptions = {
    ...SWEEP_DEFAULTS,
    ...preset,
    targets: flags.targets ?? SWEEP_TARGETS,
    scenario: scenario as SweepScenario,
    p99BoundMs: flags.p99BoundMs ?? SWEEP_DEFAULTS.p99BoundMs,
    stepSeconds: flags.stepSeconds ?? preset.stepSeconds ?? SWEEP_DEFAULTS.stepSeconds
  }
  optionValue(LoadTestOptionError, 'p99-bound', o.p99BoundMs, number(0.1, 60_000))
  if (!integer(1, 600).accepts(o.stepSeconds)) {
    throw new OptionError('duration', o.stepSeconds,
      'expected whole seconds per sweep step, from 1 to 600 (autocannon releases each second\'s budget at its start)')
  }
  if (o.targets.length === 0) throw new OptionError('targets', '', 'expected at least one target for the sweep')
  return Object.freeze({ ...o, targets: Object.freeze([...o.targets]) })
}
