// The peer strategies (bentocache, cache-manager) behind our WeatherCache interface, on a real
// redis-server: same bytes as our engine, hits without the loader, the exact number of loads
// under concurrent misses (in one process and across two), purge reach, grace, error pass-through;
// then GET /weather/:city through createService. Exact counts document each library's behaviour.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Redis } from 'ioredis'
import type { WeatherCache } from '../../src/cache/cache.js'
import { monotonicClock } from '../../src/cache/clock.js'
import type { CacheResult } from '../../src/cache/engine.js'
import { createEntry } from '../../src/cache/entry.js'
import { BentocacheCache } from '../../src/cache/peers/bentocache-cache.js'
import { CacheManagerCache } from '../../src/cache/peers/cache-manager-cache.js'
import { createPeerCache } from '../../src/cache/peers/peer-cache.js'
import type { PeerStrategyName } from '../../src/cache/peers/peer-options.js'
import { createCacheEngine } from '../../src/cache/strategies.js'
import { CityNotFoundError } from '../../src/errors.js'
import { createRedisClient } from '../../src/redis.js'
import type { Service } from '../../src/service.js'
import { silentLogger, testConfig } from '../helpers/fixtures.js'
import { serviceRedisClient, startRedisServer, waitFor, type RedisServer } from '../helpers/redis.js'
import { serviceBed } from '../helpers/service.js'
import { countingLoader } from '../helpers/counting-loader.js'

let server: RedisServer
const clients: Redis[] = []
const caches: WeatherCache[] = []

before(async () => { server = await startRedisServer() })
after(async () => {
  for (const cache of caches) await cache.close?.()
  for (const client of clients) client.disconnect()
  await server.stop().catch(() => {})
})

async function client (): Promise<Redis> {
  const redis = serviceRedisClient(server.url)
  clients.push(redis)
  await waitFor(() => redis.status === 'ready', 5000, 'redis ready')
  return redis
}

/** A pub/sub connection configured as the service's (it queues while connecting). */
function subscriberClient (): Redis {
  const redis = createRedisClient(
    { target: { kind: 'single', url: server.url }, commandTimeoutMs: 150, connectTimeoutMs: 1000 },
    silentLogger(),
    { subscriber: true }
  ) as Redis
  clients.push(redis)
  return redis
}

let namespaces = 0
/** A config with a key namespace of its own, so tests sharing the server never see each other's keys. */
function config (env: Record<string, string> = {}) {
  return testConfig({ CACHE_TTL_SECONDS: '300', REDIS_KEY_PREFIX: `p${process.pid}-${++namespaces}`, ...env })
}

/** Another process's view: its own L1 and clients, the same Redis and key namespace. */
async function peer (strategy: PeerStrategyName, cfg: ReturnType<typeof config>, { bus = true } = {}): Promise<WeatherCache> {
  const deps = { config: cfg, redis: await client(), subscriber: bus ? subscriberClient() : undefined, clock: monotonicClock, logger: silentLogger() }
  const cache = strategy === 'peer-bentocache' ? new BentocacheCache(deps) : new CacheManagerCache(deps)
  caches.push(cache)
  await cache.start?.()
  return cache
}

/** A loader that counts calls and answers the same bytes for the same key after `delayMs`. */
const sameBytesLoader = (delayMs = 20) => countingLoader({
  delayMs,
  body: (key) => JSON.stringify({ key, temperatureC: 21.5, conditions: 'clear' }),
  storedAt: () => 1_700_000_000_000
})

const sources = (results: readonly CacheResult[]): Record<string, number> =>
  results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [r.source]: (counts[r.source] ?? 0) + 1 }), {})

// What each library gives, stated once and asserted below.
const expected = {
  'peer-bentocache': {
    // One in-process mutex per key: the first caller loads, the others then read its L1 copy.
    concurrentInOneProcess: { loads: 1, sources: { MISS: 1, 'HIT-L1': 99 } },
    // The mutex is per process: two processes missing together both load.
    concurrentAcrossTwo: 2,
    // Its bus carries deletes: the other process's L1 copy is dropped.
    otherL1AfterPurge: 'HIT-L2',
    // Not handed out by bentocache: derived from the entry's storedAt (here long past).
    remainingOfOldEntry: 'zero'
  },
  'peer-cache-manager': {
    // wrap() coalesces concurrent calls of a key (promise-coalesce): one load, shared by all.
    concurrentInOneProcess: { loads: 1, sources: { MISS: 100 } },
    concurrentAcrossTwo: 2,
    // No bus: the other process's L1 copy outlives the purge until its TTL.
    otherL1AfterPurge: 'HIT-L1',
    // wrap({ raw: true }) hands out the stored expiry: counted from the write.
    remainingOfOldEntry: 'ttl'
  }
} as const

for (const strategy of ['peer-bentocache', 'peer-cache-manager'] as const) {
  describe(strategy, () => {
    test('the same bytes as our engine; then an L1 hit without the loader', async () => {
      const cfg = config()
      const ours = createCacheEngine('layered', { config: cfg, redis: await client(), clock: monotonicClock, logger: silentLogger() })
      const cache = await peer(strategy, cfg)
      const loader = sameBytesLoader()
      const reference = (await ours.get('2643743', loader.load)).entry
      const first = await cache.get('2643743', loader.load)
      assert.equal(first.source, 'MISS')
      assert.match(first.serverTiming, /^origin;dur=[\d.]+$/)
      assert.deepEqual(first.entry, reference, 'body, ETag and storedAt')
      const second = await cache.get('2643743', loader.load)
      assert.equal(second.source, 'HIT-L1')
      assert.equal(second.serverTiming, 'l1;desc=hit')
      assert.equal(second.entry.body, reference.body, 'the same bytes')
      assert.equal(second.entry.etag, reference.etag)
      assert.equal(loader.calls, 2, 'one load for ours, one for the peer')
      assert.equal(cache.peek('2643743'), undefined, 'no synchronous read in either library')
    })

    test('a fresh process hits L2 with the same bytes; remaining TTL comes from the entry', async () => {
      const cfg = config()
      const loader = sameBytesLoader()
      const a = await peer(strategy, cfg)
      const filled = await a.get('k', () => loader.load('k'))
      const b = await peer(strategy, cfg)
      const hit = await b.get('k', loader.load)
      assert.equal(hit.source, 'HIT-L2')
      assert.equal(hit.entry.body, filled.entry.body)
      // storedAt is a fixed instant long past.
      if (expected[strategy].remainingOfOldEntry === 'zero') assert.equal(hit.remainingMs, 0)
      else assert.ok(hit.remainingMs > 290_000 && hit.remainingMs <= 300_000, String(hit.remainingMs))
      assert.equal((await b.get('k', loader.load)).source, 'HIT-L1')
      assert.equal(loader.calls, 1)
    })

    test(`100 concurrent misses in one process → exactly ${expected[strategy].concurrentInOneProcess.loads} load`, async () => {
      const cache = await peer(strategy, config())
      const loader = sameBytesLoader(50)
      const results = await Promise.all(Array.from({ length: 100 }, () => cache.get('stampede', loader.load)))
      assert.equal(loader.calls, expected[strategy].concurrentInOneProcess.loads)
      assert.deepEqual(sources(results), expected[strategy].concurrentInOneProcess.sources)
      assert.equal(new Set(results.map((r) => r.entry.body)).size, 1)
    })

    test(`concurrent misses in two processes → ${expected[strategy].concurrentAcrossTwo} loads (ours: 1, through its Redis fill lock)`, async () => {
      const cfg = config()
      const loader = sameBytesLoader(100)
      const [a, b] = [await peer(strategy, cfg), await peer(strategy, cfg)]
      await Promise.all([...Array.from({ length: 20 }, () => a.get('shared', loader.load)), ...Array.from({ length: 20 }, () => b.get('shared', loader.load))])
      assert.equal(loader.calls, expected[strategy].concurrentAcrossTwo)

      const oursLoader = sameBytesLoader(100)
      const ours = [0, 1].map(async () => createCacheEngine('layered', { config: cfg, redis: await client(), clock: monotonicClock, logger: silentLogger() }))
      const [x, y] = await Promise.all(ours)
      await Promise.all([x!.get('ours-shared', oursLoader.load), y!.get('ours-shared', oursLoader.load)])
      assert.equal(oursLoader.calls, 1)
    })

    test(`purge: both tiers here; the other process's L1 copy then answers ${expected[strategy].otherL1AfterPurge}`, async () => {
      const cfg = config()
      const loader = sameBytesLoader(5)
      const a = await peer(strategy, cfg)
      const b = await peer(strategy, cfg)
      await a.get('purged', loader.load)
      assert.equal((await b.get('purged', loader.load)).source, 'HIT-L2')
      await a.delete('purged')
      assert.equal((await a.get('purged', loader.load)).source, 'MISS', 'gone from L1 and L2 here')
      assert.equal(loader.calls, 2)
      if (expected[strategy].otherL1AfterPurge === 'HIT-L2') {
        // The delete travels over the bus: b's copy goes, and b reads a's refill from Redis.
        await waitFor(async () => (await b.get('purged', loader.load)).source === 'HIT-L2', 3000, 'bus delete')
      } else {
        await new Promise(resolve => setTimeout(resolve, 200))
        assert.equal((await b.get('purged', loader.load)).source, 'HIT-L1')
      }
      assert.equal(loader.calls, 2)
    })

    test('the loader\'s own error reaches the route (404 stays 404), nothing cached', async () => {
      const cache = await peer(strategy, config())
      const notFound = new CityNotFoundError('"atlantis"')
      await assert.rejects(cache.get('missing', async () => { throw notFound }), (err) => err === notFound)
      const loader = sameBytesLoader(5)
      assert.equal((await cache.get('missing', loader.load)).source, 'MISS')
    })

    test('past the TTL, within grace: the stale answer now, one load in the background', async () => {
      const cache = await peer(strategy, config({ CACHE_TTL_SECONDS: '1', CACHE_GRACE_SECONDS: '60' }))
      const stale = createEntry('{"v":"old"}', Date.now())
      await cache.get('swr', async () => stale)
      await new Promise(resolve => setTimeout(resolve, 1100))
      const loader = sameBytesLoader(20)
      const results = await Promise.all([cache.get('swr', loader.load), cache.get('swr', loader.load)])
      assert.deepEqual(results.map((r) => [r.source, r.entry.body, r.remainingMs]), [['STALE', '{"v":"old"}', 0], ['STALE', '{"v":"old"}', 0]])
      await waitFor(async () => (await cache.get('swr', loader.load)).entry.body !== '{"v":"old"}', 3000, 'background refresh')
      assert.equal(loader.calls, 1)
    })
  })
}

test('a missing peer package: CS_ERR_CONFIG_INVALID naming the packages and npm install', async () => {
  const resolve = (name: string): string => { throw new Error(`Cannot find package '${name}'`) }
  const subscriber = await client()
  assert.throws(
    () => createPeerCache(
      'peer-cache-manager',
      { config: config(), redis: subscriber, subscriber, clock: monotonicClock, logger: silentLogger() },
      { resolve }
    ),
    (err: Error & { code?: string }) => err.code === 'CS_ERR_CONFIG_INVALID' && /cache-manager, keyv, @keyv\/redis, cacheable/.test(err.message) && /npm install/.test(err.message)
  )
  await waitFor(() => subscriber.status === 'end', 2000, 'the unused subscriber closed')
})

test('the default path never loads a peer library (a child process whose resolver refuses them)', async () => {
  // A module hook that fails every peer package: the 'layered' path must not notice it, and the
  // peer path must (so the hook is known to work).
  const script = `
    import { register } from 'node:module'
    register('data:text/javascript,' + encodeURIComponent(
      'export async function resolve (s, c, next) { ' +
      'if (/^(bentocache|cache-manager|cacheable|keyv|@keyv)/.test(s)) throw new Error("refused " + s); return next(s, c) }'))
    const { createCache } = await import('./dist/src/cache/create-cache.js')
    const { loadConfig } = await import('./dist/src/config.js')
    const { pino } = await import('pino')
    const { Redis } = await import('ioredis')
    const config = loadConfig({ REDIS_URL: ${JSON.stringify(server.url)}, WORKERS: '1' })
    const redis = new Redis(${JSON.stringify(server.url)})
    const deps = { config, redis, clock: performance, logger: pino({ level: 'silent' }) }
    const layered = createCache('layered', deps)
    const result = await layered.get('k', async () => ({ body: '{}', etag: '"e"', storedAt: Date.now() }))
    let peer = 'loaded'
    try { createCache('peer-bentocache', deps) } catch (err) { peer = err.code }
    redis.disconnect()
    console.log(JSON.stringify({ layered: result.source, peer }))
  `
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 })
  assert.deepEqual(JSON.parse(stdout.trim()), { layered: 'MISS', peer: 'CS_ERR_CONFIG_INVALID' })
})

describe('GET /weather/:city through createService', () => {
  const bed = serviceBed({ originLatencyMs: 10, env: () => ({ REDIS_URL: server.url }) })
  const service = (strategy: string): Promise<Service> => bed.service({ CACHE_STRATEGY: strategy, REDIS_KEY_PREFIX: `http${process.pid}-${++namespaces}` })

  test('peer-bentocache and peer-cache-manager answer /weather/london 200 with the JSON of layered', async () => {
    const reference = await (await service('layered')).app.inject('/weather/london')
    assert.equal(reference.statusCode, 200)
    for (const strategy of ['peer-bentocache', 'peer-cache-manager']) {
      const { app } = await service(strategy)
      const first = await app.inject('/weather/london')
      assert.equal(first.statusCode, 200, strategy)
      assert.equal(first.headers['x-cache'], 'MISS', strategy)
      assert.equal(first.headers['content-type'], 'application/json; charset=utf-8')
      assert.deepEqual(first.json(), reference.json(), strategy)
      assert.match(String(first.headers['cache-control']), /^public, max-age=\d+, s-maxage=[0-2], stale-while-revalidate=600, stale-if-error=600$/)
      const second = await app.inject('/weather/london')
      assert.equal(second.headers['x-cache'], 'HIT-L1', strategy)
      assert.equal(second.body, first.body, `${strategy}: the stored bytes`)
      assert.equal(second.headers.etag, first.headers.etag)
      assert.equal((await app.inject('/weather/atlantis-under-the-sea')).statusCode, 404)
    }
  })
})
