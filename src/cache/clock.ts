/** Monotonic milliseconds: cache expiry never follows wall-clock jumps (NTP, DST, manual set). */
export interface Clock {
  now (): number
}

export const monotonicClock: Clock = performance

/** Wall-clock milliseconds, only for what people read: `Age`, observation times. */
export type WallClock = () => number

/**
 * A clock read through at most once per `resolutionMs`: the hit path asks for the time several
 * times (L1 expiry, freshness, max-age, Age), and each performance.now() costs ~100 ns on
 * Node 20 against ~20 ns for this. Cache lifetimes are seconds; a millisecond is plenty.
 */
export function coarseClock (read: () => number, resolutionMs = 1): () => number {
  let cached = -1
  const expire = (): void => { cached = -1 }
  return () => {
    if (cached < 0) {
      cached = read()
      setTimeout(expire, resolutionMs).unref()
    }
    return cached
  }
}
