// The shared tier as one part: Redis' store, the cluster-wide fill lock and the coherence bus,
// behind one circuit breaker and one deadline. The engine has it or does not (no Redis, no shared
// tier) — never half of it — and every call here asks the breaker first: while it is open, L2 is
// skipped at once instead of timing out on every request, the fill wait included, and a purge
// fails fast (the route answers 503).
import type { Logger } from 'pino'
import type { CacheEvents, L2Operation } from './cache-events.js'
import type { CacheBus } from './invalidation-bus.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import type { CacheEntry } from './entry.js'
import type { SharedLock } from './fill-lock.js'
import type { Lifetime } from './memory-store.js'
import type { RedisHit, SharedStore } from './redis-store.js'
import { withDeadline } from './deadline.js'

export interface SharedTierOptions {
  store: SharedStore
  breaker: CircuitBreaker
  /** Cluster-wide single-flight; without it every process loads its own misses. */
  lock?: SharedLock | undefined
  /** L1 coherence across processes. */
  bus?: CacheBus | undefined
  /** Bound on any one store, lock or bus operation, whatever the client does underneath, ms. */
  deadlineMs: number
  events: CacheEvents
  logger: Logger
}

/** hit / stale (within grace) / miss; skipped: the breaker is open; error: failed or too slow. */
export type L2ReadOutcome = 'hit' | 'stale' | 'miss' | 'skipped' | 'error'

export interface L2Read {
  readonly hit: RedisHit | undefined
  readonly outcome: L2ReadOutcome
}

/** The fill lock: ours (with the token to release it), held by another process, or not usable
 * now (no lock, breaker open, Redis failing) — then load without it. */
export type LockAttempt = { readonly held: 'by-us', readonly token: string } | { readonly held: 'by-another' } | { readonly held: 'unavailable' }

/** One look while waiting on another process's fill. */
export type FillPoll = { readonly state: 'filled', readonly hit: RedisHit } | { readonly state: 'pending' | 'released' | 'unavailable' }

const UNAVAILABLE: LockAttempt = Object.freeze({ held: 'unavailable' })
const BY_ANOTHER: LockAttempt = Object.freeze({ held: 'by-another' })

export class SharedTier {
  readonly #store: SharedStore
  readonly #breaker: CircuitBreaker
  readonly #lock: SharedLock | undefined
  readonly #bus: CacheBus | undefined
  readonly #deadlineMs: number
  readonly #events: CacheEvents
  readonly #logger: Logger

  constructor (options: SharedTierOptions) {
    this.#store = options.store
    this.#breaker = options.breaker
    this.#lock = options.lock
    this.#bus = options.bus
    this.#deadlineMs = options.deadlineMs
    this.#events = options.events
    this.#logger = options.logger
  }

  get bus (): CacheBus | undefined {
    return this.#bus
  }

  get hasLock (): boolean {
    return this.#lock !== undefined
  }

  async read (key: string): Promise<L2Read> {
    if (!this.#breaker.allows()) {
      this.#events.l2Skipped()
      return { hit: undefined, outcome: 'skipped' }
    }
    try {
      const hit = await this.#bounded(this.#store.get(key), 'L2 get')
      this.#breaker.success()
      return { hit, outcome: hit === undefined ? 'miss' : hit.freshMs > 0 ? 'hit' : 'stale' }
    } catch (err) {
      this.#failed('get', err, key)
      return { hit: undefined, outcome: 'error' }
    }
  }

  async acquire (key: string): Promise<LockAttempt> {
    if (this.#lock === undefined || !this.#breaker.allows()) return UNAVAILABLE
    try {
      const token = await this.#bounded(this.#lock.acquire(key), 'lock acquire')
      this.#breaker.success()
      return token === undefined ? BY_ANOTHER : { held: 'by-us', token }
    } catch (err) {
      this.#failed('lock', err, key)
      return UNAVAILABLE
    }
  }

  /** While another process fills `key`: its value, or whether it still holds the lock. */
  async pollFill (key: string): Promise<FillPoll> {
    if (this.#lock === undefined || !this.#breaker.allows()) return { state: 'unavailable' }
    try {
      const hit = await this.#bounded(this.#store.get(key), 'L2 get')
      if (hit !== undefined) {
        this.#breaker.success()
        return { state: 'filled', hit }
      }
      const held = await this.#bounded(this.#lock.isHeld(key), 'lock check')
      this.#breaker.success()
      return { state: held ? 'pending' : 'released' }
    } catch (err) {
      this.#failed('get', err, key)
      return { state: 'unavailable' }
    }
  }

  // Not behind the breaker: it frees a lock we hold, and skipping it would make the others wait
  // out the lock's TTL. Bounded like every call; its failure counts against the breaker.
  release (key: string, token: string): void {
    if (this.#lock === undefined) return
    this.#bounded(this.#lock.release(key, token), 'lock release').catch((err: unknown) => this.#failed('lock', err, key))
  }

  /** After the answer is sent: store in L2, tell the other processes, then free the lock — in
   * that order, so a woken waiter finds the value. */
  async share (key: string, entry: CacheEntry, lifetime: Lifetime, token: string | undefined): Promise<void> {
    if (this.#breaker.allows()) {
      try {
        await this.#bounded(this.#store.set(key, entry, lifetime), 'L2 set')
        this.#breaker.success()
        if (this.#bus !== undefined) await this.#bounded(this.#bus.publishFilled(key, entry.etag), 'bus publish')
      } catch (err) {
        this.#failed('set', err, key)
      }
    } else {
      this.#events.l2Skipped()
    }
    if (token !== undefined) this.release(key, token)
  }

  /** Deletes the L2 copy and tells every other L1 to drop its own; rejects when it could not. */
  async purge (key: string): Promise<void> {
    if (!this.#breaker.allows()) {
      this.#events.l2Skipped()
      throw new Error('L2 skipped: its circuit breaker is open')
    }
    try {
      await this.#bounded(this.#store.delete(key), 'L2 delete')
      this.#breaker.success()
      if (this.#bus !== undefined) await this.#bounded(this.#bus.publishInvalidate(key), 'bus publish')
    } catch (err) {
      this.#failed('delete', err, key)
      throw err
    }
  }

  #bounded<T> (promise: Promise<T>, what: string): Promise<T> {
    return withDeadline(promise, this.#deadlineMs, what)
  }

  #failed (operation: L2Operation, err: unknown, key: string): void {
    this.#breaker.failure()
    this.#events.l2Error(operation, err)
    this.#logger.warn({ err, key, operation, breaker: this.#breaker.state }, 'L2 operation failed; degrading to L1 and the origin')
  }
}
