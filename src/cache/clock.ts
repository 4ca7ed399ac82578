/** Monotonic milliseconds: cache expiry never follows wall-clock jumps (NTP, DST, manual set). */
export interface Clock {
  now (): number
}

export const monotonicClock: Clock = performance

/** Wall-clock milliseconds, only for what people read: `Age`, observation times. */
export type WallClock = () => number
