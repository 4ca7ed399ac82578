import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Redis } from 'ioredis'
import { createCacheEngine } from '../../src/cache/strategies.js'
import { createEntry } from '../../src/cache/entry.js'
import { RedisStore } from '../../src/cache/redis-store.js'
import { monotonicClock, type Clock } from '../../src/cache/clock.js'
import type { CacheStrategyName } from '../../src/config.js'
import { ManualClock, silentLogger, testConfig } from '../helpers/fixtures.js'
import { redisBed, waitFor } from '../helpers/redis.js'
import { countingLoader } from '../helpers/counting-loader.js'

const bed = redisBed()
const client = (): Promise<Redis> => bed.client()

const config = testConfig({ CACHE_TTL_SECONDS: '300', BREAKER_FAILURE_THRESHOLD: '3', BREAKER_RESET_MS: '300', REDIS_KEY_PREFIX: `t${process.pid}` })

function engine (strategy: Exclude<CacheStrategyName, `peer-${string}`>, redis?: Redis, clock: Clock = monotonicClock) {
  return createCacheEngine(strategy, { config, redis, clock, logger: silentLogger() })
}

/** The L2 read's outcome of one answer, from its Server-Timing (`l2;desc=error;dur=150`, `l2;desc=skipped`). */
const l2Outcome = (serverTiming: string): string => /l2;desc=([a-z]+)/.exec(serverTiming)?.[1] ?? 'none'

/** A failing L2: the first reads fail (at most the breaker's threshold of 3), every later one is skipped. */
function assertBreakerOpened (outcomes: readonly string[]): void {
  const failed = outcomes.indexOf('skipped')
  assert.ok(failed >= 1 && failed <= 3, `L2 outcomes: ${outcomes.join(',')}`)
  assert.ok(outcomes.slice(0, failed).every(o => o === 'error'), `L2 outcomes: ${outcomes.join(',')}`)
  assert.ok(outcomes.slice(failed).every(o => o === 'skipped'), `L2 outcomes: ${outcomes.join(',')}`)
}

for (const strategy of ['memory', 'layered'] as const) {
  test(`${strategy}: 500 concurrent misses of one key → exactly 1 load, one shared answer`, async () => {
    const cache = engine(strategy, strategy === 'layered' ? await client() : undefined)
    const loader = countingLoader()
    const results = await Promise.all(Array.from({ length: 500 }, () => cache.get('single-flight-' + strategy, loader.load)))
    assert.equal(loader.calls, 1)
    assert.equal(new Set(results.map(r => r.entry)).size, 1)
    assert.ok(results.every(r => r.source === 'MISS'))
    const again = await cache.get('single-flight-' + strategy, loader.load)
    assert.equal(again.source, 'HIT-L1')
    assert.equal(loader.calls, 1)
  })
}

test('none: every request loads (the baseline pays for everything)', async () => {
  const cache = engine('none')
  const loader = countingLoader({ delayMs: 5 })
  await Promise.all(Array.from({ length: 5 }, () => cache.get('k', loader.load)))
  await cache.get('k', loader.load)
  assert.equal(loader.calls, 6)
})

test('redis (L2 only): a second engine (another worker) hits L2, the loader runs once', async () => {
  const loader = countingLoader({ delayMs: 5 })
  const a = engine('redis', await client())
  const b = engine('redis', await client())
  assert.equal((await a.get('shared', loader.load)).source, 'MISS')
  await waitFor(async () => (await b.get('shared', loader.load)).source === 'HIT-L2', 2000, 'L2 fill')
  assert.equal(loader.calls, 1)
})

test('layered: an L2 hit fills L1 with the remaining TTL, not a fresh one', async () => {
  const redis = await client()
  await new RedisStore({ redis, prefix: config.redis.keyPrefix }).set('promoted', createEntry('{"p":1}', Date.now()), { freshMs: 5000 })
  const clock = new ManualClock(50_000)
  const cache = engine('layered', redis, clock)
  const loader = countingLoader()
  const first = await cache.get('promoted', loader.load)
  assert.equal(first.source, 'HIT-L2')
  assert.ok(first.remainingMs > 4000 && first.remainingMs <= 5000, `remaining ${first.remainingMs}`)
  const record = cache.peek('promoted')
  assert.ok(record)
  assert.equal(record.freshUntil - clock.now(), first.remainingMs, 'L1 expires with L2, not 300 s later')
  clock.advance(first.remainingMs)
  assert.equal(cache.peek('promoted'), undefined, 'L1 copy expired with the L2 one')
  assert.equal(loader.calls, 0)
})

test('Redis killed mid-test: requests keep succeeding, the breaker stops the waiting, the client reconnects by itself', async () => {
  const redis = await client()
  const cache = engine('layered', redis)
  const loader = countingLoader({ delayMs: 5 })
  assert.equal((await cache.get('before-crash', loader.load)).source, 'MISS')
  await bed.server.kill()

  // Every request still succeeds: from L1, or from the loader. What stops the waiting is the
  // breaker, seen in each answer's Server-Timing: a few L2 errors, then L2 skipped.
  assert.equal((await cache.get('before-crash', loader.load)).source, 'HIT-L1')
  const outcomes: string[] = []
  for (let i = 0; i < 10; i++) {
    const result = await cache.get(`during-crash-${i}`, loader.load)
    assert.equal(result.source, 'MISS')
    outcomes.push(l2Outcome(result.serverTiming))
  }
  assertBreakerOpened(outcomes)

  // Restart on the same port: the client reconnects and, after the breaker's reset time, L2 is used again.
  bed.server = await bed.server.restart()
  await waitFor(() => redis.status === 'ready', 10_000, 'reconnect')
  await new Promise(resolve => setTimeout(resolve, 350))
  await waitFor(async () => {
    await cache.get(`after-restart-${Math.random()}`, loader.load)
    return (await redis.keys(`${config.redis.keyPrefix}:v1:after-restart-*`)).length > 0
  }, 5000, 'L2 writes to resume')
})

test('a Redis that answers slowly costs at most the command timeout, then the breaker opens', async () => {
  const redis = await client()
  const cache = engine('layered', redis)
  const loader = countingLoader({ delayMs: 1 })
  const blocker = await client()
  // CLIENT PAUSE holds every client's commands: the service client's time out.
  await blocker.call('CLIENT', 'PAUSE', '1200', 'ALL')
  const pausedUntil = Date.now() + 1200
  const outcomes: string[] = []
  for (let i = 0; i < 8; i++) {
    const result = await cache.get(`slow-${i}`, loader.load)
    assert.equal(result.source, 'MISS')
    outcomes.push(l2Outcome(result.serverTiming))
  }
  // Threshold 3 counts every L2 operation (the background set of a miss too): at most three
  // requests pay the command timeout (an L2 error), the first ones; then the open breaker skips L2.
  assertBreakerOpened(outcomes)
  await new Promise(resolve => setTimeout(resolve, Math.max(0, pausedUntil - Date.now())))
})
