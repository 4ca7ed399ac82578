// cache-manager behind our route, configured as its README's multi-store example: an in-memory
// Keyv store (cacheable's CacheableMemory: LRU + TTL) in front of a Keyv store on Redis
// (@keyv/redis), and wrap() for single-flight. Only ever loaded through a dynamic import
// (peer-cache.ts): a devDependency.
//
// cache-manager has no grace period; its documented refresh-ahead stands in for one: entries live
// TTL + grace, and once less than `grace` is left, wrap() answers the old value and refreshes it in
// the background (refreshThreshold) — the same fresh and stale windows as ours.
import KeyvRedis, { createClient } from '@keyv/redis'
import { createCache, type Cache } from 'cache-manager'
import { createKeyv } from 'cacheable'
import { Keyv, KeyvHooks } from 'keyv'
import type { WeatherCache } from '../cache.js'
import type { Clock } from '../clock.js'
import { noopCacheEvents, type CacheEvents, type CacheResult, type CacheSource, type Loader } from '../engine.js'
import type { CacheEntry } from '../entry.js'
import type { MemoryRecord } from '../memory-store.js'
import { nodeRedisOptionsOf } from './node-redis-options.js'
import { peerNamespace, peerResult, type PeerDependencies } from './peer-options.js'

/** The library, its Redis client, and the stores, in the order wrap() reads them. */
export interface ConfiguredCacheManager {
  cache: Cache
  client: ReturnType<typeof createClient>
  l1: Keyv
  l2: Keyv
}

/**
 * The library, configured from our Config. Exported so that the micro-benchmarks measure exactly
 * what the route runs.
 */
export function createCacheManager ({ config, redis, logger }: PeerDependencies): ConfiguredCacheManager {
  const lifetimeMs = config.cache.ttlMs + config.cache.graceMs
  // cacheable's createKeyv is the README's tuned form of `new Keyv({ store: new CacheableMemory(…) })`
  // (no serialization in memory). Bounded by count only: CacheableMemory has no byte bound.
  const l1 = createKeyv({ ttl: lifetimeMs, lruSize: config.cache.l1.maxEntries })
  const client = createClient(nodeRedisOptionsOf(redis, 'cachestack-peer-cache-manager'))
  // Keyv hands its namespace to the store; with useKeyPrefix off only the store prefixes (@keyv/redis's
  // README way to avoid a double prefix): keys are `<namespace>::<key>`.
  const l2 = new Keyv({ store: new KeyvRedis(client), namespace: peerNamespace(config.redis.keyPrefix, 'peer-cache-manager'), useKeyPrefix: false })
  const log = logger.child({ peer: 'cache-manager' })
  l2.on('error', (err: unknown) => log.warn({ err }, 'cache-manager L2 error'))
  const cache = createCache({
    stores: [l1, l2],
    ttl: lifetimeMs,
    refreshThreshold: config.cache.graceMs,
    // A refresh rewrites Redis too, not only the tier that answered.
    refreshAllStores: true
  })
  return { cache, client, l1, l2 }
}

export class CacheManagerCache implements WeatherCache {
  readonly #peer: ConfiguredCacheManager
  readonly #graceMs: number
  readonly #clock: Clock
  readonly #events: CacheEvents
  /** Entries our loader produced: every caller coalesced onto that load gets one of these. */
  readonly #loaded = new WeakSet<object>()
  /**
   * Answers read from Redis: Keyv's postGet hook sees the very object wrap() then returns. An L1
   * read is a fresh structured clone (CacheableMemory's default useClone), so never in either set.
   */
  readonly #fromL2 = new WeakSet<object>()

  constructor (deps: PeerDependencies) {
    // No bus in cache-manager: the pub/sub connection is not needed.
    deps.subscriber?.disconnect()
    this.#peer = createCacheManager(deps)
    this.#graceMs = deps.config.cache.graceMs
    this.#clock = deps.clock
    this.#events = deps.events ?? noopCacheEvents
    this.#peer.l2.hooks.addHandler(KeyvHooks.POST_GET, (data: { value?: unknown }) => {
      if (typeof data.value === 'object' && data.value !== null) this.#fromL2.add(data.value)
    })
  }

  /** Connects the Redis client (bounded by its connect timeout); it would otherwise connect on first use. */
  async start (): Promise<void> {
    if (!this.#peer.client.isOpen) await this.#peer.client.connect()
  }

  async close (): Promise<void> {
    await this.#peer.cache.disconnect()
  }

  /** cache-manager has no synchronous read: every lookup goes through wrap(). */
  peek (_key: string): MemoryRecord | undefined {
    return undefined
  }

  remainingMs (record: MemoryRecord): number {
    return Math.max(0, record.freshUntil - this.#clock.now())
  }

  get (key: string, load: Loader): Promise<CacheResult> {
    let originMs = 0
    const fill = async (): Promise<CacheEntry> => {
      const started = this.#clock.now()
      const entry = await load(key)
      originMs = this.#clock.now() - started
      this.#loaded.add(entry)
      return entry
    }
    return this.#peer.cache.wrap<CacheEntry>(key, fill, { raw: true }).then((raw) => {
      // wrap() either returns a stored value or throws what the loader threw.
      const entry = raw!.value!
      const expires = raw!.expires
      // Freshness is the stored lifetime minus the grace window (see the top of this file).
      const remainingMs = (typeof expires === 'number' ? expires - Date.now() : 0) - this.#graceMs
      let source: CacheSource
      if (this.#loaded.has(entry)) source = 'MISS'
      else if (remainingMs <= 0) source = 'STALE'
      else source = this.#fromL2.has(raw!) ? 'HIT-L2' : 'HIT-L1'
      if (source === 'MISS') this.#events.miss()
      else if (source === 'STALE') this.#events.stale(this.#fromL2.has(raw!) ? 'l2' : 'l1')
      else this.#events.hit(source === 'HIT-L2' ? 'l2' : 'l1')
      return peerResult(entry, source, remainingMs, originMs)
    })
  }

  /** Deletes from both stores. No bus: other processes' L1 copies live out their TTL. */
  async delete (key: string): Promise<void> {
    await this.#peer.cache.del(key)
  }
}
