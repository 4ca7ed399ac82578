// The layered cache engine: L1 → the shared tier (L2) → the loader (the origin). The strategy
// decides which layers exist; the route never knows which one it runs on. This file is the
// orchestration; each concern is a part of its own:
// - freshness.ts: fresh, stale or expired; XFetch's early refresh; jitter; promoted lifetimes;
// - shared-tier.ts: Redis' store, the fill lock and the coherence bus behind one breaker;
// - fill-wait.ts: waiting for another process's fill (cluster-wide single-flight);
// - refresher.ts: one background refresh per key (stale-while-revalidate, stale-if-error);
// - negative-cache.ts: remembered "does not exist" answers;
// - single-flight.ts: one load per key among this process's concurrent misses;
// - tracing.ts: every operation on a diagnostics_channel tracing channel.
import type { Logger } from 'pino'
import type { L1Usage, WeatherCache } from './cache.js'
import { noopCacheEvents, type CacheEvents } from './cache-events.js'
import type { CacheBus } from './invalidation-bus.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import type { Clock } from './clock.js'
import type { CacheEntry } from './entry.js'
import type { SharedLock } from './fill-lock.js'
import { FillSignals, waitForFill, type FillWaitResult } from './fill-wait.js'
import { cappedLifetime, freshLeftMs, freshnessAt, jitteredFreshMs, promotedLifetime, refreshesEarly } from './freshness.js'
import type { L1Store as MemoryStore, Lifetime, MemoryRecord } from './memory-store.js'
import { NegativeCache } from './negative-cache.js'
import type { RedisHit, SharedStore } from './redis-store.js'
import { BackgroundRefresher } from './refresher.js'
import { SharedTier, type L2Read } from './shared-tier.js'
import { SingleFlight } from './single-flight.js'
import {
  publishSync, traces,
  type AnsweringLayer, type FillWaitTrace, type InvalidateTrace, type L2GetTrace, type LookupTrace, type OriginLoadTrace, type RefreshTrace
} from './tracing.js'

export { noopCacheEvents, type CacheEvents, type Layer } from './cache-events.js'

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

/** An error the loader throws for a key that does not exist: cached briefly (negative caching). */
export interface NegativeError extends Error {
  readonly negativeCacheable: true
}

const isNegative = (err: unknown): err is NegativeError => (err as Partial<NegativeError>)?.negativeCacheable === true

export interface CacheEngineOptions {
  l1?: MemoryStore | undefined
  l2?: SharedStore | undefined
  /** Guards L2: while open, L2 is skipped instead of timing out on every request. Required with l2. */
  breaker?: CircuitBreaker | undefined
  /** Cluster-wide single-flight. Needs l2. */
  lock?: SharedLock | undefined
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

function validate (options: CacheEngineOptions): void {
  if ((options.lock !== undefined || options.bus !== undefined) && options.l2 === undefined) {
    throw new TypeError('expected options.l2 with options.lock or options.bus')
  }
  if (!(options.ttlMs > 0)) throw new TypeError(`expected options.ttlMs > 0, got ${options.ttlMs}`)
  const jitter = options.ttlJitter ?? 0
  if (!(jitter >= 0 && jitter < 1)) throw new TypeError(`expected options.ttlJitter in [0, 1), got ${jitter}`)
  if (options.earlyRefreshBeta !== undefined && !(options.earlyRefreshBeta > 0)) {
    throw new TypeError(`expected options.earlyRefreshBeta > 0, got ${options.earlyRefreshBeta}`)
  }
}

export class CacheEngine implements WeatherCache {
  readonly #l1: MemoryStore | undefined
  readonly #shared: SharedTier | undefined
  readonly #negative: NegativeCache
  readonly #refresher: BackgroundRefresher
  readonly #fillSignals = new FillSignals()
  readonly #flights: SingleFlight<CacheResult> | undefined
  readonly #ttlMs: number
  readonly #graceMs: number
  readonly #ttlJitter: number
  readonly #beta: number | undefined
  readonly #lockWaitMs: number
  readonly #lockPollMs: number
  readonly #busDownL1MaxMs: number
  readonly #clock: Clock
  readonly #random: () => number
  readonly #events: CacheEvents
  readonly #logger: Logger
  #busDown = false

  constructor (options: CacheEngineOptions) {
    validate(options)
    this.#l1 = options.l1
    this.#ttlMs = options.ttlMs
    this.#graceMs = options.graceMs ?? 0
    this.#ttlJitter = options.ttlJitter ?? 0
    this.#beta = options.earlyRefreshBeta
    this.#lockWaitMs = options.lockWaitMs ?? 2500
    this.#lockPollMs = options.lockPollMs ?? 50
    this.#busDownL1MaxMs = options.busDownL1MaxMs ?? 1000
    this.#clock = options.clock
    this.#random = options.random ?? (() => 1 - Math.random())
    this.#events = options.events ?? noopCacheEvents
    this.#logger = options.logger
    this.#flights = options.coalesce === false ? undefined : new SingleFlight()
    this.#negative = new NegativeCache({ ttlMs: options.negativeTtlMs ?? 0, maxEntries: options.negativeMaxEntries ?? 10_000, clock: this.#clock })
    this.#refresher = new BackgroundRefresher({ clock: this.#clock, retryMs: options.refreshRetryMs ?? 1000 })
    this.#shared = this.#sharedTier(options)
    this.#shared?.bus?.setHandlers({
      invalidate: (key) => this.#dropLocal(key, undefined),
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

  /** L2 with its lock, bus and breaker as one part, or none at all. */
  #sharedTier ({ l2, breaker, lock, bus, l2DeadlineMs = 1000 }: CacheEngineOptions): SharedTier | undefined {
    if (l2 === undefined) return undefined
    if (breaker === undefined) throw new TypeError('expected options.breaker with options.l2')
    return new SharedTier({ store: l2, breaker, lock, bus, deadlineMs: l2DeadlineMs, events: this.#events, logger: this.#logger })
  }

  /** Subscribes the coherence bus (if any); resolves when invalidations flow. */
  async start (): Promise<void> {
    await this.#shared?.bus?.start()
  }

  async close (): Promise<void> {
    await this.#shared?.bus?.close()
  }

  l1Usage (): L1Usage | undefined {
    return this.#l1 === undefined ? undefined : { entries: this.#l1.size, bytes: this.#l1.bytes }
  }

  get layers (): { l1: boolean, l2: boolean } {
    return { l1: this.#l1 !== undefined, l2: this.#shared !== undefined }
  }

  /**
   * The one hit lookup (the route's and the hit fast path's): a fresh L1 record, or undefined
   * (then call get()). No promise, no allocation on a hit. With early refresh on, XFetch rolls
   * its dice here, once per request: when it says "refresh", the hit is answered all the same and
   * the refresh starts in the background.
   */
  peek (key: string, load?: Loader): MemoryRecord | undefined {
    if (this.#l1 === undefined) return undefined
    const record = this.#l1.get(key)
    if (record === undefined) return undefined
    const now = this.#clock.now()
    if (freshnessAt(record, now) !== 'fresh') return undefined
    if (this.#beta !== undefined && load !== undefined && refreshesEarly(record, now, this.#beta, this.#random)) this.#refreshInBackground(key, load)
    this.#events.hit('l1')
    if (traces.lookup.hasSubscribers) publishSync<LookupTrace>(traces.lookup, { key, layer: 'l1', outcome: 'hit' })
    return record
  }

  remainingMs (record: MemoryRecord): number {
    return freshLeftMs(record, this.#clock.now())
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
      if (freshnessAt(record, now) === 'fresh') {
        // Fresh here means the value arrived since peek() looked (or the caller did not peek).
        const early = this.#beta !== undefined && refreshesEarly(record, now, this.#beta, this.#random)
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
      this.#events.stale('l1')
      this.#refreshInBackground(key, load)
      return Promise.resolve({ entry: record.entry, source: 'STALE', remainingMs: 0, serverTiming: 'l1;desc=stale', layer: 'l1' })
    }
    const missing = this.#negative.get(key)
    if (missing !== undefined) {
      this.#events.negativeHit()
      return Promise.reject(missing)
    }
    if (this.#flights === undefined) return this.#fill(key, load)
    return this.#flights.run(key, () => this.#fill(key, load))
  }

  async #fill (key: string, load: Loader): Promise<CacheResult> {
    const timing: string[] = []
    if (this.#l1 !== undefined) timing.push('l1;desc=miss')
    const shared = this.#shared
    if (shared === undefined) return await this.#loadAndStore(key, load, timing, undefined, false)
    const { hit } = await this.#readL2(shared, key, timing)
    if (hit !== undefined) return this.#fromL2(key, hit, load, timing)
    return await this.#loadShared(shared, key, load, timing)
  }

  #fromL2 (key: string, hit: RedisHit, load: Loader, timing: string[]): CacheResult {
    this.#setL1(key, hit.entry, promotedLifetime(hit))
    if (hit.freshMs > 0) {
      this.#events.hit('l2')
      return { entry: hit.entry, source: 'HIT-L2', remainingMs: hit.freshMs, serverTiming: timing.join(', '), layer: 'l2' }
    }
    this.#events.stale('l2')
    this.#refreshInBackground(key, load)
    return { entry: hit.entry, source: 'STALE', remainingMs: 0, serverTiming: timing.join(', '), layer: 'l2' }
  }

  /** Cluster-wide single-flight: take the fill lock and load, or wait for its holder's value. */
  async #loadShared (shared: SharedTier, key: string, load: Loader, timing: string[]): Promise<CacheResult> {
    const lock = await shared.acquire(key)
    if (lock.held === 'by-us') return await this.#loadAndStore(key, load, timing, lock.token, false)
    if (lock.held === 'by-another') {
      const waited = await this.#waitForFill(shared, key)
      if (waited.outcome === 'filled') {
        timing.push(`lock;desc=waited;dur=${round2(waited.waitedMs)}`)
        return this.#fromL2(key, waited.hit, load, timing)
      }
      if (waited.outcome === 'timeout') this.#logger.warn({ key, waitedMs: this.#lockWaitMs }, 'fill lock holder too slow; loading ourselves')
    }
    return await this.#loadAndStore(key, load, timing, undefined, false)
  }

  async #loadAndStore (key: string, load: Loader, timing: string[], token: string | undefined, background: boolean): Promise<CacheResult> {
    this.#events.miss()
    const started = this.#clock.now()
    let entry: CacheEntry
    try {
      entry = await this.#callLoader(key, load, background)
    } catch (err) {
      if (token !== undefined) this.#shared?.release(key, token)
      if (isNegative(err)) this.#negative.remember(key, err)
      throw err
    }
    const deltaMs = this.#clock.now() - started
    timing.push(`origin;dur=${round2(deltaMs)}`)
    const lifetime: Lifetime = { freshMs: jitteredFreshMs(this.#ttlMs, this.#ttlJitter, this.#random), graceMs: this.#graceMs, deltaMs }
    this.#setL1(key, entry, lifetime)
    // After the answer: store, announce, then free the lock (shared-tier.ts).
    if (this.#shared !== undefined) void this.#shared.share(key, entry, lifetime, token)
    return { entry, source: 'MISS', remainingMs: lifetime.freshMs, serverTiming: timing.join(', '), layer: 'origin' }
  }

  #setL1 (key: string, entry: CacheEntry, lifetime: Lifetime): void {
    if (this.#l1 === undefined) return
    this.#l1.set(key, entry, this.#busDown ? cappedLifetime(lifetime, this.#busDownL1MaxMs) : lifetime)
  }

  #refreshInBackground (key: string, load: Loader): void {
    this.#refresher.start(key, () => this.#refresh(key, load))
  }

  #refresh (key: string, load: Loader): Promise<boolean> {
    if (!traces.refresh.hasSubscribers) return this.#runRefresh(key, load, undefined)
    const trace: RefreshTrace = { key, outcome: undefined }
    return traces.refresh.tracePromise(() => this.#runRefresh(key, load, trace), trace)
  }

  async #runRefresh (key: string, load: Loader, trace: RefreshTrace | undefined): Promise<boolean> {
    const lock = await this.#shared?.acquire(key)
    if (lock?.held === 'by-another') {
      // Another process refreshes; its "filled" message will drop our stale copy.
      if (trace !== undefined) trace.outcome = 'skipped'
      this.#events.refresh('skipped')
      return true
    }
    try {
      await this.#loadAndStore(key, load, [], lock?.held === 'by-us' ? lock.token : undefined, true)
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

  // ---- traced steps: the bare operation when nobody subscribes --------------------------------

  #readL2 (shared: SharedTier, key: string, timing: string[]): Promise<L2Read> {
    const read = (): Promise<L2Read> => {
      const started = this.#clock.now()
      return shared.read(key).then((result) => {
        timing.push(result.outcome === 'skipped' ? 'l2;desc=skipped' : `l2;desc=${result.outcome};dur=${round2(this.#clock.now() - started)}`)
        return result
      })
    }
    if (!traces.l2Get.hasSubscribers) return read()
    const trace: L2GetTrace = { key, layer: 'l2', outcome: undefined }
    return traces.l2Get.tracePromise(() => read().then((result) => {
      trace.outcome = result.outcome
      return result
    }), trace)
  }

  #waitForFill (shared: SharedTier, key: string): Promise<FillWaitResult> {
    const wait = (): Promise<FillWaitResult> => waitForFill(key, {
      shared, signals: this.#fillSignals, clock: this.#clock, waitMs: this.#lockWaitMs, pollMs: this.#lockPollMs, events: this.#events
    })
    if (!traces.fillWait.hasSubscribers) return wait()
    const trace: FillWaitTrace = { key, outcome: undefined }
    return traces.fillWait.tracePromise(() => wait().then((result) => {
      trace.outcome = result.outcome
      return result
    }), trace)
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

  // ---- coherence --------------------------------------------------------------------------------

  /** Another process changed `key` (unlessEtag undefined) or filled it with `unlessEtag`. */
  #dropLocal (key: string, unlessEtag: string | undefined): void {
    // Keep only a copy that is both the announced value and still fresh: a stale copy of the
    // same bytes (a refresh often returns identical weather) must go, or this worker would
    // refresh the key a second time once the lock is free.
    const record = this.#l1?.get(key)
    const drop = record !== undefined &&
      (unlessEtag === undefined || record.entry.etag !== unlessEtag || freshnessAt(record, this.#clock.now()) !== 'fresh')
    if (drop) this.#l1?.delete(key)
    this.#negative.forget(key)
    this.#fillSignals.wake(key)
    if (traces.invalidate.hasSubscribers) {
      publishSync<InvalidateTrace>(traces.invalidate, { key, reason: unlessEtag === undefined ? 'invalidate' : 'filled', dropped: drop })
    }
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
    this.#negative.forget(key)
    await this.#shared?.purge(key)
  }
}
