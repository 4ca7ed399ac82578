// Our cache against the peer libraries, in one process, on the same keys and the same values
// (docs/peers.md). Each peer is built by its adapter's factory, i.e. exactly as CACHE_STRATEGY=peer-*
// runs it; rows marked "tuned" change one documented option away from its default, to show what
// that default costs.
//  - L1 hit: 10,000 entries, cycling through 1,000 hot keys. Ours is peek() (what the route calls
//    first: synchronous) and get(); the peers only have promise-returning reads.
//  - Layered get: an L2 hit on a cold L1 (L1 bounded to 100 entries, 20,000 keys read in turn),
//    one at a time and 50 at once, against a redis-server started here.
import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { redisDriver } from 'bentocache/drivers/redis'
import { createCache } from 'cache-manager'
import { createKeyv } from 'cacheable'
import type { Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'
import { pino } from 'pino'
import type { WeatherCache } from '../src/cache/cache.js'
import { monotonicClock } from '../src/cache/clock.js'
import { createEntry, type CacheEntry } from '../src/cache/entry.js'
import { BentocacheCache, createBentocache } from '../src/cache/peers/bentocache-cache.js'
import { CacheManagerCache, createCacheManager } from '../src/cache/peers/cache-manager-cache.js'
import type { PeerDependencies } from '../src/cache/peers/peer-options.js'
import { createCacheEngine } from '../src/cache/strategies.js'
import { loadConfig } from '../src/config.js'
import { createRedisClient, type RedisClient } from '../src/redis.js'
import { startRedisServer, type RedisServer } from '../stack/redis-server.js'
import { runSuite, Sink, type TaskResult } from './harness.js'

const logger = pino({ level: 'silent' })

/** A body the size and shape of a weather report (~350 bytes). */
function entryFor (key: string): CacheEntry {
  const report = {
    city: { id: Number(key), name: `City ${key}`, country: 'GB', population: 8_961_989, lat: 51.50853, lon: -0.12574 },
    weather: {
      temperatureC: 14.2,
      feelsLikeC: 13.1,
      humidityPct: 72,
      pressureHpa: 1013.2,
      windKph: 17.3,
      windDirectionDeg: 240,
      conditions: 'partly cloudy',
      observedAt: '2025-01-01T12:00:00.000Z'
    },
    provider: 'cachestack-simulated-weather'
  }
  return createEntry(JSON.stringify(report), Date.now())
}

const keysOf = (n: number): string[] => Array.from({ length: n }, (_, i) => String(1_000_000 + i))

/** A redis-server and clients configured as the service's (command clients ready, as service.ready() waits for); closed by stop(). */
async function redisFixture (): Promise<{ server: RedisServer, client: () => Promise<RedisClient>, subscriber: () => RedisClient, stop: () => Promise<void> }> {
  const server = await startRedisServer()
  const clients: RedisClient[] = []
  const make = (subscriber: boolean): RedisClient => {
    const c = createRedisClient(
      { target: { kind: 'single', url: server.url }, commandTimeoutMs: 1000, connectTimeoutMs: 2000 },
      logger,
      { subscriber }
    )
    clients.push(c)
    return c
  }
  return {
    server,
    async client () {
      const c = make(false)
      if (c.status !== 'ready') await new Promise(resolve => c.once('ready', resolve))
      return c
    },
    subscriber: () => make(true),
    async stop () {
      for (const c of clients) c.disconnect()
      await server.stop()
    }
  }
}

async function inChunks (keys: readonly string[], size: number, fn: (key: string) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < keys.length; i += size) await Promise.all(keys.slice(i, i + size).map(fn))
}

const BATCH_SYNC = 1000
const BATCH_ASYNC = 100

export async function peersL1HitBench (): Promise<TaskResult[]> {
  const ENTRIES = 10_000
  const HOT = 1000
  const keys = keysOf(ENTRIES)
  const entries = new Map(keys.map((key) => [key, entryFor(key)]))
  const load = async (key: string): Promise<CacheEntry> => entries.get(key)!
  const redis = await redisFixture()
  const config = loadConfig({ REDIS_URL: redis.server.url, CACHE_TTL_SECONDS: '3600', L1_MAX_ENTRIES: String(ENTRIES), WORKERS: '1' })
  const deps = async (): Promise<PeerDependencies> => ({ config, redis: await redis.client(), subscriber: redis.subscriber(), clock: monotonicClock, logger })
  try {
    const ours = createCacheEngine('memory', { config, clock: monotonicClock, logger })
    const raw = new LRUCache<string, CacheEntry>({ max: ENTRIES })
    const bento = createBentocache(await deps())
    const manager = createCacheManager(await deps())
    // Tuned: L1 keeps objects, not JSON (bentocache's `serialize: false`: then no byte bound).
    const bentoObjects = new BentoCache({
      default: 'multitier',
      prefix: `${config.redis.keyPrefix}:bench-bento-objects`,
      ttl: config.cache.ttlMs,
      grace: config.cache.ttlMs + config.cache.graceMs,
      stores: {
        multitier: bentostore()
          .useL1Layer(memoryDriver({ maxItems: ENTRIES, serialize: false }))
          .useL2Layer(redisDriver({ connection: await redis.client() }))
      }
    })
    // Tuned: CacheableMemory without its structured clone per read (`useClone: false`).
    const managerNoClone = createCache({ stores: [createKeyv({ ttl: config.cache.ttlMs, lruSize: ENTRIES, useClone: false })], ttl: config.cache.ttlMs })
    const bentoAdapter = new BentocacheCache(await deps())
    const managerAdapter = new CacheManagerCache(await deps())
    for (const key of keys) raw.set(key, entries.get(key)!)
    await inChunks(keys, 200, async (key) => {
      await ours.get(key, load)
      await bento.getOrSet({ key, factory: () => load(key) })
      await bentoObjects.getOrSet({ key, factory: () => load(key) })
      await manager.cache.wrap(key, () => load(key))
      await managerNoClone.wrap(key, () => load(key))
      await bentoAdapter.get(key, load)
      await managerAdapter.get(key, load)
    })
    const sink = new Sink()
    let i = 0
    const next = (): string => keys[i++ % HOT]!
    const asyncTask = (name: string, read: (key: string) => Promise<CacheEntry | undefined>) => ({
      name,
      batch: BATCH_ASYNC,
      fn: async () => { for (let k = 0; k < BATCH_ASYNC; k++) sink.take((await read(next()))?.body.length ?? 0) }
    })
    const results = await runSuite('peers: L1 hit', [
      {
        name: 'ours: CacheEngine.peek (memory, sync)',
        batch: BATCH_SYNC,
        fn: () => { for (let k = 0; k < BATCH_SYNC; k++) sink.take(ours.peek(next())?.entry.body.length ?? 0) }
      },
      {
        name: 'lru-cache: LRUCache.get (raw, sync)',
        batch: BATCH_SYNC,
        fn: () => { for (let k = 0; k < BATCH_SYNC; k++) sink.take(raw.get(next())?.body.length ?? 0) }
      },
      asyncTask('ours: CacheEngine.get (memory)', async (key) => (await ours.get(key, load)).entry),
      asyncTask('bentocache: getOrSet', (key) => bento.getOrSet({ key, factory: () => load(key) })),
      asyncTask('bentocache: getOrSet, tuned (L1 serialize: false)', (key) => bentoObjects.getOrSet({ key, factory: () => load(key) })),
      asyncTask('cache-manager: wrap', (key) => manager.cache.wrap(key, () => load(key))),
      asyncTask('cache-manager: get', (key) => manager.cache.get<CacheEntry>(key)),
      asyncTask('cache-manager: wrap, tuned (useClone: false)', (key) => managerNoClone.wrap(key, () => load(key))),
      asyncTask('adapter: BentocacheCache.get (route path)', async (key) => (await bentoAdapter.get(key, load)).entry),
      asyncTask('adapter: CacheManagerCache.get (route path)', async (key) => (await managerAdapter.get(key, load)).entry)
    ])
    await Promise.all([
      bento.disconnect(),
      bentoObjects.disconnect(),
      manager.cache.disconnect(),
      bentoAdapter.close(),
      managerAdapter.close()
    ].map((p) => p.catch(() => {})))
    return results
  } finally {
    await redis.stop()
  }
}

export async function peersLayeredGetBench (): Promise<TaskResult[]> {
  const L1_ENTRIES = 100
  const keys = keysOf(20_000)
  const entry = entryFor('1000000')
  const load = async (): Promise<CacheEntry> => entry
  const redis = await redisFixture()
  const config = loadConfig({ REDIS_URL: redis.server.url, CACHE_TTL_SECONDS: '3600', L1_MAX_ENTRIES: String(L1_ENTRIES), WORKERS: '1' })
  const deps = async (): Promise<PeerDependencies> => ({ config, redis: await redis.client(), subscriber: redis.subscriber(), clock: monotonicClock, logger })
  try {
    const ours = createCacheEngine('layered', await deps())
    await ours.start()
    const bento = new BentocacheCache(await deps())
    await bento.start()
    const manager = new CacheManagerCache(await deps())
    await manager.start()
    const caches: Array<[string, WeatherCache]> = [['ours: CacheEngine.get (layered)', ours], ['bentocache: getOrSet', bento], ['cache-manager: wrap', manager]]
    for (const [, cache] of caches) await inChunks(keys, 200, (key) => cache.get(key, load))
    // Our engine writes L2 after answering: let the last writes land.
    await new Promise(resolve => setTimeout(resolve, 500))
    const raw = await redis.client() as Redis
    await raw.set('bench:raw', entry.body)
    const sink = new Sink()
    // One cursor per cache, never over the last keys filled (still in each L1): a key comes back
    // only after 19,900 others, long evicted from an L1 of 100.
    const readable = keys.length - L1_ENTRIES
    const cursors = new Map(caches.map(([name]) => [name, 0]))
    const next = (name: string): string => {
      const i = cursors.get(name)!
      cursors.set(name, i + 1)
      return keys[i % readable]!
    }
    const CONCURRENT = 50
    const results = await runSuite('peers: layered get (L2 hit, cold L1)', [
      {
        name: 'ioredis: GET (the floor, one at a time)',
        batch: BATCH_ASYNC,
        fn: async () => { for (let k = 0; k < BATCH_ASYNC; k++) sink.take((await raw.get('bench:raw'))?.length ?? 0) }
      },
      ...caches.map(([name, cache]) => ({
        name: `${name}, one at a time`,
        batch: BATCH_ASYNC,
        fn: async () => {
          for (let k = 0; k < BATCH_ASYNC; k++) {
            const result = await cache.get(next(name), load)
            if (result.source !== 'HIT-L2') throw new Error(`${name}: expected HIT-L2, got ${result.source}`)
            sink.take(result.entry.body.length)
          }
        }
      })),
      ...caches.map(([name, cache]) => ({
        name: `${name}, ${CONCURRENT} at once`,
        batch: CONCURRENT,
        fn: async () => {
          const results = await Promise.all(Array.from({ length: CONCURRENT }, () => cache.get(next(name), load)))
          for (const result of results) {
            if (result.source !== 'HIT-L2') throw new Error(`${name}: expected HIT-L2, got ${result.source}`)
            sink.take(result.entry.body.length)
          }
        }
      }))
      // Round trips are noisier than CPU work: longer samples for a tighter margin.
    ], { timeMs: 2000, warmupMs: 300 })
    for (const [, cache] of caches) await cache.close?.()
    return results
  } finally {
    await redis.stop()
  }
}
