// L1 coherence across workers and instances: purges and updates travel on the Redis bus;
// a bus that reconnects flushes L1, and while it is down L1 lifetimes are capped.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Redis } from 'ioredis'
import type { CacheEngine } from '../../src/cache/engine.js'
import { createCacheEngine } from '../../src/cache/strategies.js'
import { createEntry, type CacheEntry } from '../../src/cache/entry.js'
import { monotonicClock } from '../../src/cache/clock.js'
import { silentLogger, testConfig } from '../helpers/fixtures.js'
import { redisBed, waitFor } from '../helpers/redis.js'

const bed = redisBed()
const client = (): Promise<Redis> => bed.client()

const config = testConfig({ REDIS_KEY_PREFIX: `coherence${process.pid}`, CACHE_TTL_SECONDS: '2', CACHE_GRACE_SECONDS: '60', CACHE_TTL_JITTER: '0' })

async function worker (strategy: 'layered' | 'layered-xfetch' = 'layered', random?: () => number): Promise<{ engine: CacheEngine, subscriber: Redis }> {
  const subscriber = await client()
  const engine = createCacheEngine(strategy, {
    config,
    redis: await client(),
    subscriber,
    clock: monotonicClock,
    logger: silentLogger(),
    ...(random === undefined ? {} : { random })
  })
  await engine.start()
  bed.track(engine)
  return { engine, subscriber }
}

let version = 0
const load = async (key: string): Promise<CacheEntry> => {
  await new Promise(resolve => setTimeout(resolve, 5))
  return createEntry(JSON.stringify({ key, version: ++version }), Date.now())
}

test('a purge on one worker reaches every other L1 over the bus', async () => {
  const [a, b, c] = await Promise.all([worker(), worker(), worker()])
  await a.engine.get('purged', load)
  await waitFor(async () => (await b.engine.get('purged', load)).source !== 'MISS', 1000, 'L2 fill')
  await c.engine.get('purged', load)
  assert.ok(b.engine.peek('purged') && c.engine.peek('purged'))
  await a.engine.delete('purged')
  // Neither b nor c reads in between: only the bus can empty their L1s. How fast it does is a
  // benchmark's figure (npm run bench -- coherence), not a unit test's window.
  await waitFor(() => b.engine.peek('purged') === undefined && c.engine.peek('purged') === undefined, 5000, 'invalidation')
  assert.equal(a.engine.peek('purged'), undefined)
  assert.equal((await b.engine.get('purged', load)).source, 'MISS', 'the next answer is a fresh fetch')
})

test('an update (a refresh elsewhere) drops the old copy from the other L1s; the same value is kept', async () => {
  // a refreshes early on every hit (XFetch with rand → 0), b keeps a fresh copy of the old value.
  const a = await worker('layered-xfetch', () => 1e-300)
  const b = await worker()
  const first = await b.engine.get('updated', load)
  // b's fill reaches L2 in the background: a reads it once it is there.
  const probe = await client()
  await waitFor(async () => (await probe.exists(`${config.redis.keyPrefix}:v1:updated`)) === 1, 5000, 'b\'s fill in L2')
  assert.equal((await a.engine.get('updated', load)).source, 'HIT-L2')
  // A positive signal instead of a sleep: a purges a marker b holds; messages from a arrive in
  // order, so once b has dropped the marker, anything a's promotion sent has arrived before it.
  await b.engine.get('marker', load)
  await a.engine.delete('marker')
  await waitFor(() => b.engine.peek('marker') === undefined, 5000, 'the marker to reach b')
  assert.equal(b.engine.peek('updated')?.entry.etag, first.entry.etag, 'a promoting the same value did not drop b\'s copy')
  const hit = await a.engine.get('updated', load)
  assert.equal(hit.source, 'HIT-L1')
  assert.equal(hit.serverTiming, 'l1;desc=hit-early-refresh')
  await waitFor(() => b.engine.peek('updated') === undefined, 5000, 'the update to reach b')
  const after = await b.engine.get('updated', load)
  assert.equal(after.source, 'HIT-L2')
  assert.notEqual(after.entry.etag, first.entry.etag, 'b now serves the new value')
})

test('an expired key is refreshed once for the whole cluster, even when the new value has the same bytes', async () => {
  const [a, b] = await Promise.all([worker(), worker()])
  let loads = 0
  // Deterministic weather: a refresh within one time bucket returns identical bytes (same ETag).
  const same = async (key: string): Promise<CacheEntry> => {
    loads++
    await new Promise(resolve => setTimeout(resolve, 20))
    return createEntry(JSON.stringify({ key, weather: 'constant' }), Date.now())
  }
  await a.engine.get('storm', same)
  await waitFor(async () => (await b.engine.get('storm', same)).source !== 'MISS', 1000, 'b to promote from L2')
  assert.equal(loads, 1)
  await new Promise(resolve => setTimeout(resolve, 2050)) // both copies expire
  const end = Date.now() + 600
  while (Date.now() < end) {
    await Promise.all([a.engine.get('storm', same), b.engine.get('storm', same)])
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  assert.equal(loads, 2, 'one refresh for both workers')
})

test('the bus reconnecting flushes L1 (a missed message cannot leave it stale); while down, L1 lifetimes are capped', async () => {
  const b = await worker()
  await b.engine.get('held', load)
  assert.ok(b.engine.peek('held'))
  // Drop the bus connection; ioredis reconnects and re-subscribes by itself.
  b.subscriber.disconnect(true)
  await waitFor(() => b.subscriber.status !== 'ready', 1000, 'bus down')
  await b.engine.get('while-down', load)
  const capped = b.engine.remainingMs(b.engine.peek('while-down')!)
  assert.ok(capped <= 1000, `L1 copy capped to 1 s while deaf: ${capped}`)
  await waitFor(() => b.subscriber.status === 'ready', 5000, 'bus back')
  await waitFor(() => b.engine.peek('held') === undefined, 1000, 'L1 flush on reconnect')
})
