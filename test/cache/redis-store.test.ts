import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Redis } from 'ioredis'
import { RedisStore } from '../../src/cache/redis-store.js'
import { createEntry } from '../../src/cache/entry.js'
import { serviceRedisClient, startRedisServer, type RedisServer } from '../helpers/redis.js'

let server: RedisServer
let redis: Redis

before(async () => {
  server = await startRedisServer()
  redis = serviceRedisClient(server.url)
  await redis.ping().catch(async () => { await new Promise(resolve => setTimeout(resolve, 200)) })
})
after(async () => {
  redis.disconnect()
  await server.stop()
})

test('keys are namespaced and versioned; TTL is set in milliseconds', async () => {
  const store = new RedisStore({ redis, prefix: 'weather' })
  await store.set('2988507', createEntry('{"x":1}', 1), { freshMs: 1500 })
  const pttl = await redis.pttl('weather:v1:2988507')
  assert.ok(pttl > 1000 && pttl <= 1500, `pttl ${pttl}`)
  assert.equal(store.keyFor('2988507'), 'weather:v1:2988507')
})

test('get returns the stored bytes, ETag, storedAt, remaining fresh and physical TTL, and delta', async () => {
  const store = new RedisStore({ redis, prefix: 'weather' })
  const entry = createEntry('{"city":"Zürich"}', 1_700_000_000_000)
  await store.set('k1', entry, { freshMs: 10_000, graceMs: 5000, deltaMs: 80 })
  const hit = await store.get('k1')
  assert.ok(hit)
  assert.equal(hit.entry.body, entry.body)
  assert.equal(hit.entry.etag, entry.etag)
  assert.equal(hit.entry.storedAt, entry.storedAt)
  assert.ok(hit.remainingMs > 14_000 && hit.remainingMs <= 15_000, `physical TTL = fresh + grace: ${hit.remainingMs}`)
  assert.ok(hit.freshMs > 9000 && hit.freshMs <= 10_000, `fresh ${hit.freshMs}`)
  assert.equal(hit.graceMs, 5000)
  assert.equal(hit.deltaMs, 80)
})

test('missing, foreign and TTL-less values are misses', async () => {
  const store = new RedisStore({ redis, prefix: 'weather' })
  assert.equal(await store.get('absent'), undefined)
  await redis.set('weather:v1:foreign', 'not our format', 'PX', 10_000)
  assert.equal(await store.get('foreign'), undefined)
  await redis.set('weather:v1:forever', '"e"\n1\n0\n0\n{}')
  assert.equal(await store.get('forever'), undefined)
})

test('delete removes the key', async () => {
  const store = new RedisStore({ redis, prefix: 'weather' })
  await store.set('gone', createEntry('{}', 1), { freshMs: 10_000 })
  assert.equal(await store.delete('gone'), true)
  assert.equal(await redis.exists('weather:v1:gone'), 0)
})
