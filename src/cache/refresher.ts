// Background refreshes (stale-while-revalidate, early refresh): at most one per key in this
// process, and after a failure none for `retryMs`, so a dead origin is not hammered by every
// request that finds the key stale.
import type { Clock } from './clock.js'

export interface RefresherOptions {
  clock: Clock
  /** After a failed refresh the key is left alone this long, ms. */
  retryMs: number
}

export class BackgroundRefresher {
  readonly #clock: Clock
  readonly #retryMs: number
  // key → busy until (Infinity while running, a time after a failure).
  readonly #busyUntil = new Map<string, number>()

  constructor ({ clock, retryMs }: RefresherOptions) {
    this.#clock = clock
    this.#retryMs = retryMs
  }

  /** Runs `refresh` for `key` unless one runs or failed recently. `refresh` resolves true on
   * success (or when someone else refreshes), false on failure; it must not reject, but if it
   * does that counts as a failure. */
  start (key: string, refresh: () => Promise<boolean>): void {
    const busyUntil = this.#busyUntil.get(key)
    if (busyUntil !== undefined && busyUntil > this.#clock.now()) return
    this.#busyUntil.set(key, Infinity)
    const failed = (): void => { this.#busyUntil.set(key, this.#clock.now() + this.#retryMs) }
    refresh().then((ok) => { if (ok) this.#busyUntil.delete(key); else failed() }, failed)
  }
}
