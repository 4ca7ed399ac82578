// Bounds on the whole command: after them it stops the stacks and exits, whatever is running.
import type { LoadTestOptions } from './options.js'
import { runTargets } from './targets.js'
import { OUTAGE_TIMING } from './drive/scenarios.js'
import { stormRunSeconds } from './measure/timeline.js'
import type { SweepOptions } from './sweep/options.js'

/** Generous bound on the whole command: every run, its warm-up, restarts, and reports. */
export function deadlineSeconds (o: Readonly<LoadTestOptions>): number {
  const runs = runTargets(o.targets, o.redis, o.edgeStrategy, o.l1Policies).length * o.scenarios.length * o.repetitions
  // origin-outage lasts its own plan, not --duration.
  const outage = OUTAGE_TIMING.leadSeconds + o.outageSeconds + OUTAGE_TIMING.recoverySeconds
  // An expiry storm lasts at least until its window has closed (runner.ts expiryRunSeconds).
  const storm = o.scenarios.some((s) => s.startsWith('expiry-storm')) ? stormRunSeconds(o.stormTtlSeconds) : 0
  const longest = Math.max(o.durationSeconds, o.scenarios.includes('origin-outage') ? outage : 0, storm)
  return 120 + runs * (o.warmupSeconds + longest + o.timeoutSeconds + 30)
}

/** Bound on --sweep: every step and cost point, the stacks' starts, generously. */
export function sweepDeadlineSeconds (sweep: Readonly<SweepOptions>): number {
  const curves = sweep.targets.length * (30 + sweep.probeSeconds + sweep.fractions.length * (sweep.stepSeconds + 5))
  const points = sweep.cityCounts.length + sweep.topologies.length + sweep.sizes.length
  return 180 + curves + points * (sweep.warmupSeconds + sweep.costSeconds + 30)
}
