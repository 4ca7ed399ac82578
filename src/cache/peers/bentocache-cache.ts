// bentocache (https://bentocache.dev) behind our route, configured as its multi-tier guide does:
// a memory L1 (LRU bounded by count and bytes), a Redis L2 on our ioredis client, a Redis bus
// that keeps the L1s of all processes coherent; its stampede protection (a per-key in-process
// mutex) is always on. Only ever loaded through a dynamic import (peer-cache.ts): a devDependency.
import { BentoCache, bentostore, errors, type BentoStore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis'
import type { WeatherCache } from '../cache.js'
import type { Clock } from '../clock.js'
import { noopCacheEvents, type CacheEvents, type CacheResult, type CacheSource, type Loader } from '../engine.js'
import type { CacheEntry } from '../entry.js'
import type { MemoryRecord } from '../memory-store.js'
import { peerNamespace, peerResult, type PeerDependencies } from './peer-options.js'

export type ConfiguredBentoCache = BentoCache<{ multitier: BentoStore }>

/** Longest wait for bentocache's bus connections to close, ms: a dead Redis must not hold a shutdown. */
const CLOSE_TIMEOUT_MS = 1000

/**
 * The library, configured from our Config. Exported so that the micro-benchmarks measure exactly
 * what the route runs.
 */
export function createBentocache ({ config, redis, subscriber, logger }: PeerDependencies): ConfiguredBentoCache {
  const multitier = bentostore()
    .useL1Layer(memoryDriver({ maxItems: config.cache.l1.maxEntries, maxSize: config.cache.l1.maxBytes, maxEntrySize: config.cache.l1.maxEntryBytes }))
    .useL2Layer(redisDriver({ connection: redis }))
  // The bus duplicates the connection it is given (one publisher, one subscriber). It must be
  // our pub/sub one, which queues while disconnected: bentocache sends its SUBSCRIBE at once.
  // Without one, no bus, as for our engine.
  if (subscriber !== undefined) multitier.useBus(redisBusDriver({ connection: subscriber }))
  return new BentoCache({
    default: 'multitier',
    prefix: peerNamespace(config.redis.keyPrefix, 'peer-bentocache'),
    ttl: config.cache.ttlMs,
    // bentocache's grace is the physical lifetime counted from the write, ours the stale window
    // after freshness ends: the sum gives both libraries the same serve-stale window.
    grace: config.cache.ttlMs + config.cache.graceMs,
    // `timeout` stays at its default 0: with a graced value, answer it now and refresh in the
    // background (stale-while-revalidate, as ours). Waiters on a filling key are bounded like ours.
    lockTimeout: config.cache.lockWaitMs,
    l2CircuitBreakerDuration: config.redis.breaker.resetMs,
    logger: logger.child({ peer: 'bentocache' }),
    stores: { multitier }
  })
}

export class BentocacheCache implements WeatherCache {
  readonly #bento: ConfiguredBentoCache
  readonly #ttlMs: number
  readonly #clock: Clock
  readonly #events: CacheEvents
  /**
   * Which tier answered: bentocache emits `cache:hit` with the very value object getOrSet then
   * resolves with (a fresh one per L1 read, since its L1 stores serialized entries).
   */
  readonly #sources = new WeakMap<object, CacheSource>()

  constructor (deps: PeerDependencies) {
    this.#bento = createBentocache(deps)
    // The template connection was only copied (see the bus above); it is never used itself.
    deps.subscriber?.disconnect()
    this.#ttlMs = deps.config.cache.ttlMs
    this.#clock = deps.clock
    this.#events = deps.events ?? noopCacheEvents
    this.#bento.on('cache:hit', ({ value, layer, graced }) => {
      if (typeof value === 'object' && value !== null) this.#sources.set(value, graced ? 'STALE' : layer === 'l2' ? 'HIT-L2' : 'HIT-L1')
    })
  }

  /** Builds the store now (its bus subscribes) rather than on the first request. */
  async start (): Promise<void> {
    this.#bento.use()
  }

  async close (): Promise<void> {
    // Also disconnects the L2 client it was given (the service's); the service closes it next anyway.
    await Promise.race([this.#bento.disconnect().catch(() => {}), new Promise(resolve => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())])
  }

  /** bentocache has no synchronous read: every lookup goes through getOrSet. */
  peek (_key: string): MemoryRecord | undefined {
    return undefined
  }

  remainingMs (record: MemoryRecord): number {
    return Math.max(0, record.freshUntil - this.#clock.now())
  }

  get (key: string, load: Loader): Promise<CacheResult> {
    let loaded: CacheEntry | undefined
    let originMs = 0
    const factory = async (): Promise<CacheEntry> => {
      const started = this.#clock.now()
      loaded = await load(key)
      originMs = this.#clock.now() - started
      return loaded
    }
    return this.#bento.getOrSet<CacheEntry>({ key, factory }).then(
      (entry) => {
        if (entry === loaded) {
          this.#events.miss()
          return peerResult(entry, 'MISS', this.#ttlMs, originMs)
        }
        const source = this.#sources.get(entry) ?? 'HIT-L1'
        if (source === 'STALE') this.#events.stale('l1')
        else this.#events.hit(source === 'HIT-L2' ? 'l2' : 'l1')
        return peerResult(entry, source, entry.storedAt + this.#ttlMs - Date.now(), 0)
      },
      (err: unknown) => { throw factoryCause(err) }
    )
  }

  /** bentocache deletes from L1 and L2, then tells the other processes' L1s over its bus. */
  async delete (key: string): Promise<void> {
    await this.#bento.delete({ key, suppressL2Errors: false })
  }
}

// bentocache wraps what the factory throws (E_FACTORY_ERROR); the route answers our own coded
// errors (unknown city 404, origin 502/504), so hand back the loader's error itself.
function factoryCause (err: unknown): unknown {
  return err instanceof errors.E_FACTORY_ERROR && err.cause !== undefined ? err.cause : err
}
