// The knee of a latency-against-offered-load curve: the highest offered rate at which the target
// still kept its latency promise (p99 corrected for coordinated omission under a stated bound)
// and kept up (it served nearly what was offered). That rate is the target's capacity; the
// closed-loop maximum is not, since it is measured with the latency that saturation costs.

export interface LoadPoint {
  /** Requests per second the load generator was asked to send. */
  offeredRate: number
  /** 2xx answers per second it got. */
  achievedRate: number
  /** p99 latency corrected for coordinated omission, ms. */
  p99Ms: number
}

export interface Knee {
  /** The bound the p99 had to stay under, ms. */
  boundMs: number
  /** The highest offered rate that met it (and kept up); null when none did. */
  rate: number | null
  /** That point's corrected p99, ms. */
  p99Ms: number | null
  /** That point's achieved rate. */
  achievedRate: number | null
  /** The lowest offered rate that failed; null when none did. */
  firstFailedRate: number | null
  /** A rate below the knee failed (a noisy neighbour, usually): the knee is then the highest
   * passing rate, not the first failure, and says so. */
  nonMonotone: boolean
}

/** Achieved below this share of the offered rate: the target fell behind (the generator's
 * backlog, not the target's latency, would decide the figures). */
export const KEPT_UP_SHARE = 0.9

export function passes (point: LoadPoint, boundMs: number): boolean {
  return point.p99Ms <= boundMs && point.achievedRate >= KEPT_UP_SHARE * point.offeredRate
}

export function findKnee (points: readonly LoadPoint[], boundMs: number): Knee {
  if (!(boundMs > 0)) throw new RangeError(`expected a positive p99 bound, got ${boundMs}`)
  const sorted = [...points].sort((a, b) => a.offeredRate - b.offeredRate)
  let best: LoadPoint | undefined
  let firstFailed: LoadPoint | undefined
  for (const point of sorted) {
    if (passes(point, boundMs)) best = point
    else firstFailed ??= point
  }
  return {
    boundMs,
    rate: best?.offeredRate ?? null,
    p99Ms: best?.p99Ms ?? null,
    achievedRate: best?.achievedRate ?? null,
    firstFailedRate: firstFailed?.offeredRate ?? null,
    nonMonotone: best !== undefined && firstFailed !== undefined && firstFailed.offeredRate < best.offeredRate
  }
}

/** The offered rates of a sweep: `fractions` of the closed-loop maximum, each at least `floor`
 * (autocannon needs one request per second per connection), rounded, distinct, ascending. */
export function sweepRates (capacity: number, fractions: readonly number[], floor: number): number[] {
  if (!(capacity > 0)) throw new RangeError(`expected a positive capacity, got ${capacity}`)
  const rates = fractions.map((f) => Math.max(floor, Math.round(capacity * f)))
  return [...new Set(rates)].sort((a, b) => a - b)
}
