// The layered cache engine: L1 → L2 → loader (the origin). The strategy decides which layers
// exist; the route never knows which one it runs on. Inside:
// - single-flight per key in this process, and across processes through a Redis lock;
// - stale-while-revalidate and stale-if-error within a grace period (RFC 5861);
// - optional probabilistic early refresh (XFetch: Vattani et al., VLDB 2015);
// - TTL jitter, negative caching, and L1 coherence over a pub/sub bus.
import type { Logger } from 'pino'
import type { L1Usage, WeatherCache } from './cache.js'
import type { CacheBus } from './invalidation-bus.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import type { Clock } from './clock.js'
import type { CacheEntry } from './entry.js'
import type { FillLock } from './fill-lock.js'
import type { L1Store as MemoryStore, Lifetime, MemoryRecord } from './memory-store.js'
import type { RedisHit, RedisStore } from './redis-store.js'
import { SingleFlight } from './single-flight.js'
import { withDeadline } from './deadline.js'
import {
  publishSync, traces,
  type AnsweringLayer, type FillWaitTrace, type InvalidateTrace, type L2GetTrace, type LookupTrace, type OriginLoadTrace, type RefreshTrace
} from './tracing.js'

export type CacheSource = 'HIT-L1' | 'HIT-L2' | 'MISS' | 'STALE'

export interface CacheResult {
  readonly entry: CacheEntry
  readonly source: CacheSource
  /** Freshness left, ms (0 when stale). */
  readonly remainingMs: number
  /** `Server-Timing` value: one metric per layer consulted. */
  readonly serverTiming: string
  /** Who answered (a stale answer comes from L1 or L2). The engine always sets it; the peer
   * libraries' adapters cannot tell. */
  readonly layer?: AnsweringLayer
}

/** Produces a fresh entry on a miss; in the service, a call to the origin. */
export type Loader = (key: string) => Promise<CacheEntry>

export type Layer = 'l1' | 'l2'

/** What the engine reports; metrics.ts implements it with prom-client. */
export interface CacheEvents {
  hit (layer: Layer): void
  stale (layer: Layer): void
  miss (): void
  negativeHit (): void
  refresh (outcome: 'ok' | 'error' | 'skipped'): void
  lockWait (outcome: 'filled' | 'released' | 'timeout'): void
  l2Error (operation: 'get' | 'set' | 'delete' | 'lock' | 'publish', err: unknown): void
  l2Skipped (): void
}

export const noopCacheEvents: CacheEvents = {
  hit () {}, stale () {}, miss () {}, negativeHit () {}, refresh () {}, lockWait () {}, l2Error () {}, l2Skipped () {}
}

/** An error the loader throws for a key that does not exist: cached briefly (negative caching). */
export interface NegativeError extends Error {
  readonly negativeCacheable: true
}

const isNegative = (err: unknown): err is NegativeError => (err as Partial<NegativeError>)?.negativeCacheable === true

export interface CacheEngineOptions {
  l1?: MemoryStore | undefined
  l2?: RedisStore | undefined
  /** Guards L2: while open, L2 is skipped instead of timing out on every request. Required with l2. */
  breaker?: CircuitBreaker | undefined
  /** Cluster-wide single-flight. Needs l2. */
  lock?: FillLock | undefined
  /** L1 coherence across processes. Needs l2. */
  bus?: CacheBus | undefined
  /** Fresh lifetime (logical TTL) of a new entry, ms. */
  ttlMs: number
  /** After freshness, served stale while one refresh runs, or while the origin fails, ms. @default 0 */
  graceMs?: number
  /** Fresh lifetime is shortened by up to this share, at random, so keys filled together do not expire together. @default 0 */
  ttlJitter?: number
  /** How long a "does not exist" answer is remembered, ms; 0 = not at all. @default 0 */
  negativeTtlMs?: number
  /** Most remembered "does not exist" answers. @default 10_000 */
  negativeMaxEntries?: number
  /** XFetch's beta; undefined = no early refresh. @default undefined */
  earlyRefreshBeta?: number | undefined
  /** Longest wait for another process's fill before loading ourselves, ms. @default 2500 */
  lockWaitMs?: number
  /** L2 poll period while waiting for a fill (the bus usually wakes us first), ms. @default 50 */
  lockPollMs?: number
  /** After a failed background refresh, the key is not refreshed again for this long, ms. @default 1000 */
  refreshRetryMs?: number
  /** Bound on any one L2, lock or bus operation, whatever the client does underneath, ms. @default 1000 */
  l2DeadlineMs?: number
  /** Cap on L1 lifetimes while the bus is down: a missed purge cannot outlive it, ms. @default 1000 */
  busDownL1MaxMs?: number
  /** Share one load among concurrent misses of a key in this process. @default true */
  coalesce?: boolean
  clock: Clock
  /** Uniform in (0, 1]. @default () => 1 - Math.random() */
  random?: () => number
  events?: CacheEvents
  logger: Logger
}

const round2 = (n: number): string => (Math.round(n * 100) / 100).toString()

export class CacheEngine implements WeatherCache {
  readonly #l1: MemoryStore | undefined
  readonly #l2: RedisStore | undefined
  readonly #breaker: CircuitBreaker | undefined
  readonly #lock: FillLock | undefined
  readonly #bus: CacheBus | undefined
  readonly #ttlMs: number
  readonly #graceMs: number
  readonly #ttlJitter: number
  readonly #negativeTtlMs: number
  readonly #negativeMaxEntries: number
  readonly #beta: number | undefined
  readonly #lockWaitMs: number
  readonly #lockPollMs: number
  readonly #refreshRetryMs: number
  readonly #busDownL1MaxMs: number
  readonly #l2DeadlineMs: number
  readonly #clock: Clock
  readonly #random: () => number
  readonly #events: CacheEvents
  readonly #logger: Logger
  readonly #flights: SingleFlight<CacheResult> | undefined
  readonly #refreshing = new Map<string, number>()
  readonly #negative = new Map<string, { error: Error, until: number }>()
  readonly #fillWaiters = new Map<string, Set<() => void>>()
  /** The key peek() just decided to refresh early: get() honours that one roll of the dice. */
  #earlyKey: string | undefined
  #busDown = false

  constructor (options: CacheEngineOptions) {
    if (options.l2 !== undefined && options.breaker === undefined) throw new TypeError('expected options.breaker with options.l2')
    if ((options.lock !== undefined || options.bus !== undefined) && options.l2 === undefined) {
      throw new TypeError('expected options.l2 with options.lock or options.bus')
    }
    if (!(options.ttlMs > 0)) throw new TypeError(`expected options.ttlMs > 0, got ${options.ttlMs}`)
    const jitter = options.ttlJitter ?? 0
    if (!(jitter >= 0 && jitter < 1)) throw new TypeError(`expected options.ttlJitter in [0, 1), got ${jitter}`)
    if (options.earlyRefreshBeta !== undefined && !(options.earlyRefreshBeta > 0)) {
      throw new TypeError(`expected options.earlyRefreshBeta > 0, got ${options.earlyRefreshBeta}`)
    }
    this.#l1 = options.l1
    this.#l2 = options.l2
    this.#breaker = options.breaker
    this.#lock = options.lock
    this.#bus = options.bus
    this.#ttlMs = options.ttlMs
    this.#graceMs = options.graceMs ?? 0
    this.#ttlJitter = jitter
    this.#negativeTtlMs = options.negativeTtlMs ?? 0
    this.#negativeMaxEntries = options.negativeMaxEntries ?? 10_000
    this.#beta = options.earlyRefreshBeta
    this.#lockWaitMs = options.lockWaitMs ?? 2500
    this.#lockPollMs = options.lockPollMs ?? 50
    this.#refreshRetryMs = options.refreshRetryMs ?? 1000
    this.#busDownL1MaxMs = options.busDownL1MaxMs ?? 1000
    this.#l2DeadlineMs = options.l2DeadlineMs ?? 1000
    this.#clock = options.clock
    this.#random = options.random ?? (() => 1 - Math.random())
    this.#events = options.events ?? noopCacheEvents
    this.#logger = options.logger
    this.#flights = options.coalesce === false ? undefined : new SingleFlight()
    this.#bus?.setHandlers({
      invalidate: (key) => this.#dropLocal(key),
      // A new value elsewhere: drop our copy unless it is that very value, fresh (promoted from L2).
      filled: (key, etag) => this.#dropLocal(key, etag),
      down: () => { this.#busDown = true },
      up: () => {
        // Whatever was purged or updated while we were deaf is unknown: forget it all.
        this.#busDown = false
        const held = (this.#l1?.size ?? 0) > 0
        this.#l1?.clear()
        if (traces.invalidate.hasSubscribers) publishSync<InvalidateTrace>(traces.invalidate, { key: '*', reason: 'resync', dropped: held })
      }
    })
  }

  /** Subscribes the coherence bus (if any); resolves when invalidations flow. */
  async start (): Promise<void> {
    await this.#bus?.start()
  }

  async close (): Promise<void> {
    await this.#bus?.close()
  }

  l1Usage (): L1Usage | undefined {
    return this.#l1 === undefined ? undefined : { entries: this.#l1.size, bytes: this.#l1.bytes }
  }

  get layers (): { l1: boolean, l2: boolean } {
    return { l1: this.#l1 !== undefined, l2: this.#l2 !== undefined }
  }

  /**
   * The synchronous L1 fast path: a fresh record, or undefined (then call get()). No promise,
   * no allocation on a hit. With early refresh on, this is where XFetch rolls its dice.
   */
  peek (key: string): MemoryRecord | undefined {
    if (this.#l1 === undefined) return undefined
    const record = this.#l1.get(key)
    if (record === undefined) return undefined
    const now = this.#clock.now()
    if (record.freshUntil <= now) return undefined
    // Decided already (the hit fast path peeked, fell through, and the route peeks again): one
    // roll per request, or early refresh would need two in a row.
    if (this.#earlyKey === key) return undefined
    if (this.#beta !== undefined && this.#xfetch(record, now)) {
      this.#earlyKey = key
      return undefined
    }
    this.#events.hit('l1')
    if (traces.lookup.hasSubscribers) publishSync<LookupTrace>(traces.lookup, { key, layer: 'l1', outcome: 'hit' })
    return record
  }

  remainingMs (record: MemoryRecord): number {
    return Math.max(0, record.freshUntil - this.#clock.now())
  }

  // XFetch: refresh early when now − δ·β·ln(rand) ≥ expiry, rand ∈ (0, 1]. The expected head start
  // grows with the recompute time δ, so slow keys start refreshing sooner.
  #xfetch (record: MemoryRecord, now: number): boolean {
    return now - record.deltaMs * this.#beta! * Math.log(this.#random()) >= record.freshUntil
  }

  /** Full lookup: L1, then (once per key among concurrent callers) L2, the fill lock and the loader. */
  get (key: string, load: Loader): Promise<CacheResult> {
    if (!traces.lookup.hasSubscribers) return this.#lookup(key, load)
    const trace: LookupTrace = { key, layer: undefined, outcome: undefined }
    return traces.lookup.tracePromise(() => this.#lookup(key, load).then((result) => {
      trace.layer = result.layer
      trace.outcome = result.source === 'STALE' ? 'stale' : result.source === 'MISS' ? 'miss' : 'hit'
      return result
    }, (err: unknown) => {
      trace.outcome = isNegative(err) ? 'negative' : 'error'
      throw err
    }), trace)
  }

  #lookup (key: string, load: Loader): Promise<CacheResult> {
    const record = this.#l1?.get(key)
    if (record !== undefined) {
      const now = this.#clock.now()
      if (record.freshUntil > now) {
        const early = this.#earlyKey === key || (this.#earlyKey === undefined && this.#beta !== undefined && this.#xfetch(record, now))
        this.#earlyKey = undefined
        if (early) this.#refreshInBackground(key, load)
        this.#events.hit('l1')
        return Promise.resolve({
          entry: record.entry,
          source: 'HIT-L1',
          remainingMs: record.freshUntil - now,
          serverTiming: early ? 'l1;desc=hit-early-refresh' : 'l1;desc=hit',
          layer: 'l1'
        })
      }
      // RFC 5861 stale-while-revalidate: answer now, refresh once in the background.
      this.#earlyKey = undefined
      this.#events.stale('l1')
      this.#refreshInBackground(key, load)
      return Promise.resolve({ entry: record.entry, source: 'STALE', remainingMs: 0, serverTiming: 'l1;desc=stale', layer: 'l1' })
    }
    this.#earlyKey = undefined
    const negative = this.#negative.get(key)
    if (negative !== undefined) {
      if (negative.until > this.#clock.now()) {
        this.#events.negativeHit()
        return Promise.reject(negative.error)
      }
      this.#negative.delete(key)
    }
    if (this.#flights === undefined) return this.#fill(key, load)
    return this.#flights.run(key, () => this.#fill(key, load))
  }

  async #fill (key: string, load: Loader): Promise<CacheResult> {
    const timing: string[] = []
    if (this.#l1 !== undefined) timing.push('l1;desc=miss')
    if (this.#l2 !== undefined) {
      const hit = await this.#l2Get(key, timing)
      if (hit !== undefined) return this.#fromL2(key, hit, load, timing)
    }
    return await this.#loadShared(key, load, timing)
  }

  #fromL2 (key: string, hit: RedisHit, load: Loader, timing: string[]): CacheResult {
    // Promote with the *remaining* lifetimes: L1 must never outlive the shared copy.
    this.#setL1(key, hit.entry, { freshMs: hit.freshMs, graceMs: hit.remainingMs - Math.max(0, hit.freshMs), deltaMs: hit.deltaMs })
    if (hit.freshMs > 0) {
      this.#events.hit('l2')
      return { entry: hit.entry, source: 'HIT-L2', remainingMs: hit.freshMs, serverTiming: timing.join(', '), layer: 'l2' }
    }
    this.#events.stale('l2')
    this.#refreshInBackground(key, load)
    return { entry: hit.entry, source: 'STALE', remainingMs: 0, serverTiming: timing.join(', '), layer: 'l2' }
  }

  /** Cluster-wide single-flight: take the fill lock and load, or wait for its holder's value. */
  async #loadShared (key: string, load: Loader, timing: string[]): Promise<CacheResult> {
    if (this.#lock !== undefined && this.#breaker!.allows()) {
      let token: string | undefined
      let lockWorks = true
      try {
        token = await this.#bounded(this.#lock.acquire(key), 'lock acquire')
        this.#breaker!.success()
      } catch (err) {
        lockWorks = false
        this.#l2Failed('lock', err, key)
      }
      if (token !== undefined) return await this.#loadAndStore(key, load, timing, token)
      if (lockWorks) {
        const filled = await this.#waitForFill(key, load, timing)
        if (filled !== undefined) return filled
      }
    }
    return await this.#loadAndStore(key, load, timing, undefined)
  }

  #waitForFill (key: string, load: Loader, timing: string[]): Promise<CacheResult | undefined> {
    if (!traces.fillWait.hasSubscribers) return this.#awaitFill(key, load, timing, undefined)
    const trace: FillWaitTrace = { key, outcome: undefined }
    return traces.fillWait.tracePromise(() => this.#awaitFill(key, load, timing, trace), trace)
  }

  async #awaitFill (key: string, load: Loader, timing: string[], trace: FillWaitTrace | undefined): Promise<CacheResult | undefined> {
    const started = this.#clock.now()
    const deadline = started + this.#lockWaitMs
    for (;;) {
      const left = deadline - this.#clock.now()
      if (left <= 0) {
        if (trace !== undefined) trace.outcome = 'timeout'
        this.#events.lockWait('timeout')
        this.#logger.warn({ key, waitedMs: this.#lockWaitMs }, 'fill lock holder too slow; loading ourselves')
        return undefined
      }
      await this.#fillSignal(key, Math.min(left, this.#bus?.connected === true ? this.#lockPollMs * 4 : this.#lockPollMs))
      try {
        const hit = await this.#bounded(this.#l2!.get(key), 'L2 get')
        if (hit !== undefined) {
          if (trace !== undefined) trace.outcome = 'filled'
          this.#events.lockWait('filled')
          timing.push(`lock;desc=waited;dur=${round2(this.#clock.now() - started)}`)
          return this.#fromL2(key, hit, load, timing)
        }
        if (!(await this.#bounded(this.#lock!.isHeld(key), 'lock check'))) {
          // The holder failed or died without a value: do not wait for nothing.
          if (trace !== undefined) trace.outcome = 'released'
          this.#events.lockWait('released')
          return undefined
        }
      } catch (err) {
        if (trace !== undefined) trace.outcome = 'error'
        this.#l2Failed('get', err, key)
        return undefined
      }
    }
  }

  /** Resolves when the bus says `key` was filled, or after `ms`. */
  #fillSignal (key: string, ms: number): Promise<void> {
    return new Promise(resolve => {
      let waiters = this.#fillWaiters.get(key)
      if (waiters === undefined) this.#fillWaiters.set(key, waiters = new Set())
      const wake = (): void => {
        clearTimeout(timer)
        waiters!.delete(wake)
        if (waiters!.size === 0 && this.#fillWaiters.get(key) === waiters) this.#fillWaiters.delete(key)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      waiters.add(wake)
    })
  }

  #dropLocal (key: string, unlessEtag?: string): void {
    // Keep only a copy that is both the announced value and still fresh: a stale copy of the
    // same bytes (a refresh often returns identical weather) must go, or this worker would
    // refresh the key a second time once the lock is free.
    const record = this.#l1?.get(key)
    const drop = record !== undefined && (unlessEtag === undefined || record.entry.etag !== unlessEtag || record.freshUntil <= this.#clock.now())
    if (drop) this.#l1!.delete(key)
    this.#negative.delete(key)
    if (traces.invalidate.hasSubscribers) {
      publishSync<InvalidateTrace>(traces.invalidate, { key, reason: unlessEtag === undefined ? 'invalidate' : 'filled', dropped: drop })
    }
    const waiters = this.#fillWaiters.get(key)
    if (waiters !== undefined) for (const wake of [...waiters]) wake()
  }

  async #loadAndStore (key: string, load: Loader, timing: string[], token: string | undefined, background = false): Promise<CacheResult> {
    this.#events.miss()
    const started = this.#clock.now()
    let entry: CacheEntry
    try {
      entry = await this.#callLoader(key, load, background)
    } catch (err) {
      if (token !== undefined) this.#release(key, token)
      if (isNegative(err)) this.#rememberMissing(key, err)
      throw err
    }
    const deltaMs = this.#clock.now() - started
    timing.push(`origin;dur=${round2(deltaMs)}`)
    const lifetime: Lifetime = { freshMs: this.#freshMs(), graceMs: this.#graceMs, deltaMs }
    this.#setL1(key, entry, lifetime)
    if (this.#l2 !== undefined) void this.#share(key, entry, lifetime, token)
    return { entry, source: 'MISS', remainingMs: lifetime.freshMs, serverTiming: timing.join(', '), layer: 'origin' }
  }

  #callLoader (key: string, load: Loader, background: boolean): Promise<CacheEntry> {
    if (!traces.originLoad.hasSubscribers) return load(key)
    const trace: OriginLoadTrace = { key, layer: 'origin', background, outcome: undefined }
    return traces.originLoad.tracePromise(() => load(key).then((entry) => {
      trace.outcome = 'ok'
      return entry
    }, (err: unknown) => {
      trace.outcome = isNegative(err) ? 'negative' : 'error'
      throw err
    }), trace)
  }

  #freshMs (): number {
    // Jitter shortens, never lengthens: the configured TTL stays an upper bound.
    return this.#ttlJitter === 0 ? this.#ttlMs : Math.round(this.#ttlMs * (1 - this.#ttlJitter * this.#random()))
  }

  #setL1 (key: string, entry: CacheEntry, lifetime: Lifetime): void {
    if (this.#l1 === undefined) return
    if (this.#busDown && this.#bus !== undefined) {
      lifetime = {
        freshMs: Math.min(lifetime.freshMs, this.#busDownL1MaxMs),
        graceMs: Math.min(lifetime.graceMs ?? 0, this.#busDownL1MaxMs),
        deltaMs: lifetime.deltaMs ?? 0
      }
    }
    this.#l1.set(key, entry, lifetime)
  }

  #rememberMissing (key: string, error: Error): void {
    if (this.#negativeTtlMs <= 0) return
    // Bounded: the oldest remembered answer goes first (Map keeps insertion order).
    if (this.#negative.size >= this.#negativeMaxEntries) this.#negative.delete(this.#negative.keys().next().value!)
    this.#negative.set(key, { error, until: this.#clock.now() + this.#negativeTtlMs })
  }

  // After the answer is sent: store in L2, tell the other processes, then free the lock — in
  // that order, so a woken waiter finds the value.
  async #share (key: string, entry: CacheEntry, lifetime: Lifetime, token: string | undefined): Promise<void> {
    if (this.#breaker!.allows()) {
      try {
        await this.#bounded(this.#l2!.set(key, entry, lifetime), 'L2 set')
        this.#breaker!.success()
        if (this.#bus !== undefined) await this.#bounded(this.#bus.publishFilled(key, entry.etag), 'bus publish')
      } catch (err) {
        this.#l2Failed('set', err, key)
      }
    } else {
      this.#events.l2Skipped()
    }
    if (token !== undefined) this.#release(key, token)
  }

  #release (key: string, token: string): void {
    this.#bounded(this.#lock!.release(key, token), 'lock release').catch((err: unknown) => this.#l2Failed('lock', err, key))
  }

  #refreshInBackground (key: string, load: Loader): void {
    const now = this.#clock.now()
    const busyUntil = this.#refreshing.get(key)
    if (busyUntil !== undefined && busyUntil > now) return
    // Infinity while running; after a failure, a short pause so a dead origin is not hammered.
    this.#refreshing.set(key, Infinity)
    this.#tracedRefresh(key, load).then(
      (ok) => {
        if (ok) this.#refreshing.delete(key)
        else this.#refreshing.set(key, this.#clock.now() + this.#refreshRetryMs)
      },
      () => this.#refreshing.set(key, this.#clock.now() + this.#refreshRetryMs)
    )
  }

  #tracedRefresh (key: string, load: Loader): Promise<boolean> {
    if (!traces.refresh.hasSubscribers) return this.#refresh(key, load, undefined)
    const trace: RefreshTrace = { key, outcome: undefined }
    return traces.refresh.tracePromise(() => this.#refresh(key, load, trace), trace)
  }

  async #refresh (key: string, load: Loader, trace: RefreshTrace | undefined): Promise<boolean> {
    let token: string | undefined
    if (this.#lock !== undefined && this.#breaker!.allows()) {
      try {
        token = await this.#bounded(this.#lock.acquire(key), 'lock acquire')
        this.#breaker!.success()
        if (token === undefined) {
          // Another process refreshes; its "filled" message will drop our stale copy.
          if (trace !== undefined) trace.outcome = 'skipped'
          this.#events.refresh('skipped')
          return true
        }
      } catch (err) {
        this.#l2Failed('lock', err, key)
      }
    }
    try {
      await this.#loadAndStore(key, load, [], token, true)
      if (trace !== undefined) trace.outcome = 'ok'
      this.#events.refresh('ok')
      return true
    } catch (err) {
      // RFC 5861 stale-if-error: the stale copy keeps being served until its grace ends.
      if (trace !== undefined) trace.outcome = 'error'
      this.#events.refresh('error')
      this.#logger.warn({ err, key }, 'background refresh failed; serving stale')
      return false
    }
  }

  #l2Get (key: string, timing: string[]): Promise<RedisHit | undefined> {
    if (!traces.l2Get.hasSubscribers) return this.#readL2(key, timing, undefined)
    const trace: L2GetTrace = { key, layer: 'l2', outcome: undefined }
    return traces.l2Get.tracePromise(() => this.#readL2(key, timing, trace), trace)
  }

  async #readL2 (key: string, timing: string[], trace: L2GetTrace | undefined): Promise<RedisHit | undefined> {
    if (!this.#breaker!.allows()) {
      if (trace !== undefined) trace.outcome = 'skipped'
      this.#events.l2Skipped()
      timing.push('l2;desc=skipped')
      return undefined
    }
    const started = this.#clock.now()
    try {
      const hit = await this.#bounded(this.#l2!.get(key), 'L2 get')
      this.#breaker!.success()
      const outcome = hit === undefined ? 'miss' : hit.freshMs > 0 ? 'hit' : 'stale'
      if (trace !== undefined) trace.outcome = outcome
      timing.push(`l2;desc=${outcome};dur=${round2(this.#clock.now() - started)}`)
      return hit
    } catch (err) {
      if (trace !== undefined) trace.outcome = 'error'
      this.#l2Failed('get', err, key)
      timing.push(`l2;desc=error;dur=${round2(this.#clock.now() - started)}`)
      return undefined
    }
  }

  #bounded<T> (promise: Promise<T>, what: string): Promise<T> {
    return withDeadline(promise, this.#l2DeadlineMs, what)
  }

  #l2Failed (operation: 'get' | 'set' | 'delete' | 'lock' | 'publish', err: unknown, key: string): void {
    this.#breaker!.failure()
    this.#events.l2Error(operation, err)
    this.#logger.warn({ err, key, operation, breaker: this.#breaker!.state }, 'L2 operation failed; degrading to L1 and the origin')
  }

  /** Purge: drops `key` from this L1, from L2, and (through the bus) from every other L1. */
  delete (key: string): Promise<void> {
    if (!traces.invalidate.hasSubscribers) return this.#purge(key, undefined)
    const trace: InvalidateTrace = { key, reason: 'purge' }
    return traces.invalidate.tracePromise(() => this.#purge(key, trace), trace)
  }

  async #purge (key: string, trace: InvalidateTrace | undefined): Promise<void> {
    const dropped = this.#l1?.delete(key) ?? false
    if (trace !== undefined) trace.dropped = dropped
    this.#negative.delete(key)
    if (this.#l2 === undefined) return
    try {
      await this.#bounded(this.#l2.delete(key), 'L2 delete')
      if (this.#bus !== undefined) await this.#bounded(this.#bus.publishInvalidate(key), 'bus publish')
    } catch (err) {
      this.#events.l2Error('delete', err)
      throw err
    }
  }
}
