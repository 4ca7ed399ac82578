import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RedisBus } from '../../src/cache/invalidation-bus.js'
import { createRedisClient } from '../../src/redis.js'
import type { CacheEngine } from '../../src/cache/engine.js'
import { createCacheEngine } from '../../src/cache/strategies.js'
import { createEntry } from '../../src/cache/entry.js'
import { monotonicClock } from '../../src/cache/clock.js'
import { silentLogger, testConfig } from '../helpers/fixtures.js'
import { redisBed, waitFor } from '../helpers/redis.js'

const bed = redisBed()

test('start() subscribes even when the subscriber connection was ready before it (a connection is not a subscription)', async () => {
  const subscriber = createRedisClient(
    { target: { kind: 'single', url: bed.server.url }, commandTimeoutMs: 150, connectTimeoutMs: 1000 },
    silentLogger(),
    { subscriber: true }
  )
  const publisher = await bed.client()
  await waitFor(() => subscriber.status === 'ready', 5000, 'subscriber connected')
  const bus = bed.track(new RedisBus({ subscriber, publisher, channel: 'bus-test', logger: silentLogger() }))
  const invalidated: string[] = []
  bus.setHandlers({ invalidate: (key) => invalidated.push(key), filled () {}, down () {}, up () {} })
  await bus.start()
  await bus.start() // idempotent
  const other = bed.track(new RedisBus({ subscriber: await bed.client(), publisher, channel: 'bus-test', logger: silentLogger() }))
  await other.publishInvalidate('k1')
  await waitFor(() => invalidated.length > 0, 1000, 'the message')
  assert.deepEqual(invalidated, ['k1'])
  await bus.publishInvalidate('own')
  // A positive signal instead of a sleep: the same publisher's next message arrives after 'own'.
  await other.publishInvalidate('marker')
  await waitFor(() => invalidated.includes('marker'), 5000, 'the marker')
  assert.deepEqual(invalidated, ['k1', 'marker'], 'its own messages are ignored')
})

test('an engine built while its bus connection is still connecting subscribes at start() (the service\'s order)', async () => {
  const config = testConfig({ REDIS_KEY_PREFIX: `bus${process.pid}` })
  const target = { target: { kind: 'single' as const, url: bed.server.url }, commandTimeoutMs: 150, connectTimeoutMs: 1000 }
  const engines = await Promise.all([0, 1].map(async () => {
    const redis = await bed.client()
    const subscriber = createRedisClient(target, silentLogger(), { subscriber: true })
    const engine = bed.track(createCacheEngine('layered', { config, redis, subscriber, clock: monotonicClock, logger: silentLogger() }))
    await waitFor(() => subscriber.status === 'ready', 5000, 'bus connection up before start()')
    await engine.start()
    return engine
  }))
  const [a, b] = engines as [CacheEngine, CacheEngine]
  const load = async (key: string) => createEntry(JSON.stringify({ key }), Date.now())
  await a.get('k', load)
  await waitFor(async () => (await b.get('k', load)).source !== 'MISS', 1000, 'b filled')
  assert.ok(b.peek('k'))
  await a.delete('k')
  await waitFor(() => b.peek('k') === undefined, 100, 'the purge over the bus')
})
