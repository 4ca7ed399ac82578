// Negative caching: a "does not exist" answer from the loader remembered for a short while, so a
// flood of requests for a missing key does not reach the origin each time. Bounded by count.
import type { Clock } from './clock.js'

export interface NegativeCacheOptions {
  /** How long an answer is remembered, ms; 0 = not at all. */
  ttlMs: number
  /** Most answers remembered; the oldest goes first. */
  maxEntries: number
  clock: Clock
}

export class NegativeCache {
  readonly #ttlMs: number
  readonly #maxEntries: number
  readonly #clock: Clock
  // Map keeps insertion order: the first key is the oldest.
  readonly #errors = new Map<string, { error: Error, until: number }>()

  constructor ({ ttlMs, maxEntries, clock }: NegativeCacheOptions) {
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
    this.#clock = clock
  }

  /** The remembered error while it is valid; a stale one is dropped on the way. */
  get (key: string): Error | undefined {
    const remembered = this.#errors.get(key)
    if (remembered === undefined) return undefined
    if (remembered.until > this.#clock.now()) return remembered.error
    this.#errors.delete(key)
    return undefined
  }

  remember (key: string, error: Error): void {
    if (this.#ttlMs <= 0) return
    if (this.#errors.size >= this.#maxEntries) this.#errors.delete(this.#errors.keys().next().value!)
    this.#errors.set(key, { error, until: this.#clock.now() + this.#ttlMs })
  }

  forget (key: string): void {
    this.#errors.delete(key)
  }
}
