// Cluster-wide single-flight: many engines (workers, instances) on one Redis, one origin call.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Redis } from 'ioredis'
import { CacheEngine } from '../../src/cache/engine.js'
import { createCacheEngine } from '../../src/cache/strategies.js'
import { FillLock } from '../../src/cache/fill-lock.js'
import { monotonicClock } from '../../src/cache/clock.js'
import { MemoryStore } from '../../src/cache/memory-store.js'
import { RedisStore } from '../../src/cache/redis-store.js'
import { CircuitBreaker } from '../../src/cache/circuit-breaker.js'
import { silentLogger, testConfig } from '../helpers/fixtures.js'
import { redisBed } from '../helpers/redis.js'
import { chaos } from '../helpers/chaos.js'
import { watchFillWaits } from '../helpers/fill-waits.js'
import { countingLoader } from '../helpers/counting-loader.js'

const bed = redisBed()
const client = (): Promise<Redis> => bed.client()

const prefix = `stampede${process.pid}`
const config = testConfig({ REDIS_KEY_PREFIX: prefix, ORIGIN_TIMEOUT_MS: '1000', LOCK_WAIT_MS: '400', CACHE_TTL_JITTER: '0' })

/** One "worker": its own command and bus connections, like a real one. */
async function worker (): Promise<CacheEngine> {
  const engine = createCacheEngine('layered', { config, redis: await client(), subscriber: await client(), clock: monotonicClock, logger: silentLogger() })
  await engine.start()
  bed.track(engine)
  return engine
}

test('1,000 concurrent misses across 4 workers → exactly 1 origin call; the others wait and read L2', async () => {
  const workers = await Promise.all([worker(), worker(), worker(), worker()])
  const loader = countingLoader({ delayMs: 150 })
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => workers[i % 4]!.get('cold-1', loader.load)))
  assert.equal(loader.calls, 1)
  const sources = new Map<string, number>()
  for (const r of results) sources.set(r.source, (sources.get(r.source) ?? 0) + 1)
  assert.equal(sources.get('MISS'), 250, 'the holder\'s worker: its 250 callers share the one load')
  assert.equal(sources.get('HIT-L2'), 750, 'three other workers waited for the fill')
  assert.equal(new Set(results.map(r => r.entry.etag)).size, 1, 'one answer everywhere')
})

test('a lock holder that died: waiters stop waiting at LOCK_WAIT_MS and load themselves, once per worker', async () => {
  const redis = await client()
  const dead = new FillLock({ redis, prefix, ttlMs: 60_000 })
  assert.ok(await dead.acquire('orphan'), 'a holder that will never finish')
  const [a, b] = await Promise.all([worker(), worker()])
  const loader = countingLoader({ delayMs: 5 })
  // How each wait ended is the behaviour: at LOCK_WAIT_MS ('timeout'), once per worker.
  const { result: results, outcomes: waits } = await watchFillWaits(async () => await Promise.all([
    ...Array.from({ length: 50 }, () => a.get('orphan', loader.load)),
    ...Array.from({ length: 50 }, () => b.get('orphan', loader.load))
  ]))
  // The first wait to end timed out and loaded; the other timed out too or, woken by that load's
  // "filled" before its own deadline, took the value from L2 (test/cache/engine-fakes.test.ts
  // drives both orders on a manual clock).
  assert.equal(waits.length, 2, 'one fill wait per worker')
  assert.equal(waits[0], 'timeout', 'each worker waited for the holder until LOCK_WAIT_MS')
  assert.ok(waits[1] === 'timeout' || waits[1] === 'filled', String(waits[1]))
  const timeouts = waits.filter((w) => w === 'timeout').length
  assert.equal(loader.calls, timeouts, 'one fallback load per worker that timed out, not one per request')
  assert.equal(results.filter(r => r.source === 'MISS').length, 50 * timeouts)
})

test('a lock holder whose origin call fails frees the lock: waiters load at once instead of waiting it out', async () => {
  const [holder, waiter] = await Promise.all([worker(), worker()])
  const failing = countingLoader({ delayMs: 100, fail: true })
  const working = countingLoader({ delayMs: 5 })
  // How the wait ended is the behaviour: 'released' (woken by the freed lock), not 'timeout'.
  const { result: [held, result], outcomes: waits } = await watchFillWaits(async () => {
    const holding = holder.get('fails-first', failing.load).catch((err: Error) => err)
    await new Promise(resolve => setTimeout(resolve, 20))
    const result = await waiter.get('fails-first', working.load)
    return [await holding, result] as const
  })
  assert.ok(held instanceof Error)
  assert.equal(result.source, 'MISS')
  assert.equal(failing.calls, 1)
  assert.equal(working.calls, 1)
  assert.deepEqual(waits, ['released'], 'the waiter was woken by the freed lock, it did not wait LOCK_WAIT_MS out')
})

test('chaos: L2 and the lock throwing → every request still answered, one load per worker', async () => {
  const redis = await client()
  const l2 = chaos(new RedisStore({ redis, prefix }))
  const lock = chaos(new FillLock({ redis, prefix, ttlMs: 2000 }))
  l2.settings.fail = true
  lock.settings.fail = true
  const engine = new CacheEngine({
    l1: new MemoryStore({ maxEntries: 100, maxBytes: 1e6, maxEntryBytes: 1e5, clock: monotonicClock }),
    l2: l2.target,
    lock: lock.target,
    breaker: new CircuitBreaker({ failureThreshold: 100, resetTimeoutMs: 1000, clock: monotonicClock }),
    ttlMs: 10_000,
    clock: monotonicClock,
    logger: silentLogger()
  })
  const loader = countingLoader({ delayMs: 20 })
  const results = await Promise.all(Array.from({ length: 100 }, () => engine.get('chaos', loader.load)))
  assert.ok(results.every(r => r.source === 'MISS'))
  assert.equal(loader.calls, 1)
  assert.equal(l2.settings.calls.get, 1)
  assert.equal(lock.settings.calls.acquire, 1)
})

test('chaos: a slow L2 delays a miss by at most the delay, and the answer still comes from the origin once', async () => {
  const redis = await client()
  const l2 = chaos(new RedisStore({ redis, prefix }))
  l2.settings.delayMs = 120
  l2.settings.methods = ['get']
  const engine = new CacheEngine({
    l1: new MemoryStore({ maxEntries: 100, maxBytes: 1e6, maxEntryBytes: 1e5, clock: monotonicClock }),
    l2: l2.target,
    lock: new FillLock({ redis, prefix, ttlMs: 2000 }),
    breaker: new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 1000, clock: monotonicClock }),
    ttlMs: 10_000,
    clock: monotonicClock,
    logger: silentLogger()
  })
  const loader = countingLoader({ delayMs: 10 })
  const result = await engine.get('slow-l2', loader.load)
  assert.equal(result.source, 'MISS')
  assert.equal(loader.calls, 1)
  // "At most the delay" is a count: one slow L2 read on the miss path, not one per retry or poll;
  // and its outcome was awaited (a miss), not skipped or given up on.
  assert.equal(l2.settings.calls.get, 1, 'one L2 read')
  assert.match(result.serverTiming, /l2;desc=miss;dur=\d+/)
})
