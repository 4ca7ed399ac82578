// The layered cache engine: L1 → L2 → loader (the origin). The strategy decides which layers
// exist; the route never knows which one it runs on.
import type { Logger } from 'pino'
import type { CircuitBreaker } from './circuit-breaker.js'
import type { Clock } from './clock.js'
import type { CacheEntry } from './entry.js'
import type { MemoryRecord, MemoryStore } from './memory-store.js'
import type { RedisStore } from './redis-store.js'
import { SingleFlight } from './single-flight.js'

export type CacheSource = 'HIT-L1' | 'HIT-L2' | 'MISS'

export interface CacheResult {
  readonly entry: CacheEntry
  readonly source: CacheSource
  /** Freshness left, ms. */
  readonly remainingMs: number
  /** `Server-Timing` value: one metric per layer consulted. */
  readonly serverTiming: string
}

/** Produces a fresh entry on a miss; in the service, a call to the origin. */
export type Loader = (key: string) => Promise<CacheEntry>

/** What the engine reports; metrics.ts implements it with prom-client. */
export interface CacheEvents {
  hit (layer: 'l1' | 'l2'): void
  miss (): void
  l2Error (operation: 'get' | 'set' | 'delete', err: unknown): void
  l2Skipped (): void
}

export const noopCacheEvents: CacheEvents = { hit () {}, miss () {}, l2Error () {}, l2Skipped () {} }

export interface CacheEngineOptions {
  l1?: MemoryStore | undefined
  l2?: RedisStore | undefined
  /** Guards L2: while open, L2 is skipped instead of timing out on every request. Required with l2. */
  breaker?: CircuitBreaker | undefined
  /** Fresh lifetime of a new entry, ms. */
  ttlMs: number
  /** Share one load among concurrent misses of a key. @default true */
  coalesce?: boolean
  clock: Clock
  events?: CacheEvents
  logger: Logger
}

const round2 = (n: number): string => (Math.round(n * 100) / 100).toString()

export class CacheEngine {
  readonly #l1: MemoryStore | undefined
  readonly #l2: RedisStore | undefined
  readonly #breaker: CircuitBreaker | undefined
  readonly #ttlMs: number
  readonly #clock: Clock
  readonly #events: CacheEvents
  readonly #logger: Logger
  readonly #flights: SingleFlight<CacheResult> | undefined

  constructor (options: CacheEngineOptions) {
    if (options.l2 !== undefined && options.breaker === undefined) throw new TypeError('expected options.breaker with options.l2')
    if (!(options.ttlMs > 0)) throw new TypeError(`expected options.ttlMs > 0, got ${options.ttlMs}`)
    this.#l1 = options.l1
    this.#l2 = options.l2
    this.#breaker = options.breaker
    this.#ttlMs = options.ttlMs
    this.#clock = options.clock
    this.#events = options.events ?? noopCacheEvents
    this.#logger = options.logger
    this.#flights = options.coalesce === false ? undefined : new SingleFlight()
  }

  get layers (): { l1: boolean, l2: boolean } {
    return { l1: this.#l1 !== undefined, l2: this.#l2 !== undefined }
  }

  /** The synchronous L1 fast path: no promise, no allocation on a hit. */
  peek (key: string): MemoryRecord | undefined {
    if (this.#l1 === undefined) return undefined
    const record = this.#l1.get(key)
    if (record !== undefined) this.#events.hit('l1')
    return record
  }

  remainingMs (record: MemoryRecord): number {
    return record.expiresAt - this.#clock.now()
  }

  /** Full lookup: L1, then (once per key among concurrent callers) L2 and the loader. */
  get (key: string, load: Loader): Promise<CacheResult> {
    const record = this.peek(key)
    if (record !== undefined) {
      return Promise.resolve({ entry: record.entry, source: 'HIT-L1', remainingMs: this.remainingMs(record), serverTiming: 'l1;desc=hit' })
    }
    if (this.#flights === undefined) return this.#fill(key, load)
    return this.#flights.run(key, () => this.#fill(key, load))
  }

  async #fill (key: string, load: Loader): Promise<CacheResult> {
    const timing: string[] = []
    if (this.#l1 !== undefined) timing.push('l1;desc=miss')
    if (this.#l2 !== undefined) {
      const found = await this.#l2Get(key, timing)
      if (found !== undefined) return found
    }
    this.#events.miss()
    const started = this.#clock.now()
    const entry = await load(key)
    timing.push(`origin;dur=${round2(this.#clock.now() - started)}`)
    this.#l1?.set(key, entry, this.#ttlMs)
    if (this.#l2 !== undefined) this.#l2Set(key, entry)
    return { entry, source: 'MISS', remainingMs: this.#ttlMs, serverTiming: timing.join(', ') }
  }

  async #l2Get (key: string, timing: string[]): Promise<CacheResult | undefined> {
    if (!this.#breaker!.allows()) {
      this.#events.l2Skipped()
      timing.push('l2;desc=skipped')
      return undefined
    }
    const started = this.#clock.now()
    try {
      const hit = await this.#l2!.get(key)
      this.#breaker!.success()
      timing.push(`l2;desc=${hit === undefined ? 'miss' : 'hit'};dur=${round2(this.#clock.now() - started)}`)
      if (hit === undefined) return undefined
      this.#events.hit('l2')
      // Promote with the *remaining* TTL: L1 must never outlive the shared copy.
      this.#l1?.set(key, hit.entry, hit.remainingMs)
      return { entry: hit.entry, source: 'HIT-L2', remainingMs: hit.remainingMs, serverTiming: timing.join(', ') }
    } catch (err) {
      this.#breaker!.failure()
      this.#events.l2Error('get', err)
      this.#logger.warn({ err, key, breaker: this.#breaker!.state }, 'L2 get failed; serving from the origin')
      timing.push(`l2;desc=error;dur=${round2(this.#clock.now() - started)}`)
      return undefined
    }
  }

  // Not awaited by the request: the answer is ready, and L2 is an optimisation for the next one.
  #l2Set (key: string, entry: CacheEntry): void {
    if (!this.#breaker!.allows()) {
      this.#events.l2Skipped()
      return
    }
    this.#l2!.set(key, entry, this.#ttlMs).then(
      () => this.#breaker!.success(),
      (err: unknown) => {
        this.#breaker!.failure()
        this.#events.l2Error('set', err)
        this.#logger.warn({ err, key, breaker: this.#breaker!.state }, 'L2 set failed')
      }
    )
  }

  /** Drops `key` from L1 and L2. */
  async delete (key: string): Promise<void> {
    this.#l1?.delete(key)
    if (this.#l2 !== undefined) {
      try {
        await this.#l2.delete(key)
      } catch (err) {
        this.#events.l2Error('delete', err)
        throw err
      }
    }
  }
}
