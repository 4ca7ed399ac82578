// One contract for the shared tier's parts, run against the in-memory fakes (test/fakes/, time
// on a manual clock), a real redis-server and a real Redis Cluster (time passing for real): the
// L2 store's lifetimes (fresh, then stale within grace, then gone), the fill lock (one holder,
// holder-only release, expiry), and the bus (the others hear a message, the sender does not).
// The bounds are wide on purpose: a real run only ever sleeps longer than asked, so each state is
// asserted well inside its window, never at its edge.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createEntry } from '../../src/cache/entry.js'
import { FillLock, type SharedLock } from '../../src/cache/fill-lock.js'
import { RedisBus, type BusHandlers, type CacheBus } from '../../src/cache/invalidation-bus.js'
import { RedisStore, type SharedStore } from '../../src/cache/redis-store.js'
import type { RedisTarget } from '../../src/config.js'
import { createRedisClient, type RedisClient } from '../../src/redis.js'
import { startRedisCluster, type RedisCluster } from '../../stack/redis-cluster.js'
import { startRedisServer, type RedisServer } from '../../stack/redis-server.js'
import { FakeBusHub, FakeKeyspace, FakeSharedLock, FakeSharedStore } from '../fakes/shared-tier.js'
import { ManualClock, silentLogger } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/redis.js'

const FRESH_MS = 1000
const GRACE_MS = 2000
const LOCK_TTL_MS = 1000

interface World {
  store: SharedStore
  lock: SharedLock
  /** Two buses on one channel, started. */
  buses: [CacheBus, CacheBus]
  /** Lets `ms` pass: the manual clock moves, or the test sleeps. */
  elapse (ms: number): Promise<void>
  close (): Promise<void>
}

type WorldFactory = () => Promise<World>

function fakeWorld (): WorldFactory {
  return async () => {
    const clock = new ManualClock()
    const keyspace = new FakeKeyspace(clock)
    const hub = new FakeBusHub()
    const buses: [CacheBus, CacheBus] = [hub.connect(), hub.connect()]
    for (const bus of buses) await bus.start()
    return {
      store: new FakeSharedStore(keyspace),
      lock: new FakeSharedLock(keyspace, LOCK_TTL_MS),
      buses,
      async elapse (ms) { clock.advance(ms) },
      async close () { for (const bus of buses) await bus.close() }
    }
  }
}

function realWorld (target: () => RedisTarget): WorldFactory {
  return async () => {
    const clients: RedisClient[] = []
    const client = async (subscriber = false): Promise<RedisClient> => {
      const redis = createRedisClient({ target: target(), commandTimeoutMs: 1000, connectTimeoutMs: 2000 }, silentLogger(), { subscriber })
      clients.push(redis)
      await waitFor(() => redis.status === 'ready', 10_000, 'a ready client')
      return redis
    }
    const prefix = `contract${process.pid}x${Math.random().toString(36).slice(2, 8)}`
    const redis = await client()
    const buses: [CacheBus, CacheBus] = [
      new RedisBus({ subscriber: await client(true), publisher: redis, channel: `${prefix}:bus`, logger: silentLogger() }),
      new RedisBus({ subscriber: await client(true), publisher: await client(), channel: `${prefix}:bus`, logger: silentLogger() })
    ]
    for (const bus of buses) await bus.start()
    return {
      store: new RedisStore({ redis, prefix }),
      lock: new FillLock({ redis, prefix, ttlMs: LOCK_TTL_MS }),
      buses,
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      async close () {
        for (const bus of buses) await bus.close()
        for (const c of clients) c.disconnect()
      }
    }
  }
}

/** Records what a bus hears. */
function listen (bus: CacheBus): Array<[string, ...string[]]> {
  const heard: Array<[string, ...string[]]> = []
  const handlers: BusHandlers = {
    invalidate: (key) => heard.push(['invalidate', key]),
    filled: (key, etag) => heard.push(['filled', key, etag]),
    down: () => heard.push(['down']),
    up: () => heard.push(['up'])
  }
  bus.setHandlers(handlers)
  return heard
}

function contract (name: string, makeWorld: WorldFactory): void {
  describe(name, () => {
    let world: World
    before(async () => { world = await makeWorld() })
    after(async () => { await world?.close() })

    test('store: fresh, then stale within grace (freshMs ≤ 0), then gone; the entry comes back whole', async () => {
      const entry = createEntry('{"city":"Oslo"}', 1_700_000_000_000)
      await world.store.set('oslo', entry, { freshMs: FRESH_MS, graceMs: GRACE_MS, deltaMs: 42 })
      const fresh = await world.store.get('oslo')
      assert.ok(fresh !== undefined)
      assert.deepEqual(fresh.entry, entry)
      assert.equal(fresh.graceMs, GRACE_MS)
      assert.equal(fresh.deltaMs, 42)
      assert.ok(fresh.freshMs > 0 && fresh.freshMs <= FRESH_MS, `fresh left ${fresh.freshMs}`)
      assert.ok(fresh.remainingMs > GRACE_MS && fresh.remainingMs <= FRESH_MS + GRACE_MS, `life left ${fresh.remainingMs}`)
      assert.equal(fresh.remainingMs - fresh.freshMs, GRACE_MS, 'life left = fresh left + grace')
      await world.elapse(FRESH_MS + GRACE_MS / 4)
      const stale = await world.store.get('oslo')
      const seen = JSON.stringify(stale && { freshMs: stale.freshMs, remainingMs: stale.remainingMs })
      assert.ok(stale !== undefined && stale.freshMs <= 0 && stale.remainingMs > 0, `stale within grace: ${seen}`)
      await world.elapse(GRACE_MS)
      assert.equal(await world.store.get('oslo'), undefined, 'gone past grace')
    })

    test('store: delete says whether there was a value; a new value replaces the old, lifetimes included', async () => {
      assert.equal(await world.store.delete('lima'), false)
      await world.store.set('lima', createEntry('{"v":1}', 1), { freshMs: FRESH_MS, graceMs: 0 })
      await world.store.set('lima', createEntry('{"v":2}', 2), { freshMs: FRESH_MS * 10, graceMs: GRACE_MS })
      const hit = await world.store.get('lima')
      assert.equal(hit?.entry.body, '{"v":2}')
      assert.ok(hit!.freshMs > FRESH_MS, 'the new lifetime')
      assert.equal(await world.store.delete('lima'), true)
      assert.equal(await world.store.get('lima'), undefined)
    })

    test('lock: one holder; only its token releases; it frees itself after its TTL', async () => {
      const token = await world.lock.acquire('rome')
      assert.ok(token !== undefined)
      assert.equal(await world.lock.acquire('rome'), undefined, 'held')
      assert.equal(await world.lock.isHeld('rome'), true)
      assert.equal(await world.lock.release('rome', 'not-the-token'), false)
      assert.equal(await world.lock.isHeld('rome'), true)
      assert.equal(await world.lock.release('rome', token), true)
      assert.equal(await world.lock.isHeld('rome'), false)
      assert.equal(await world.lock.release('rome', token), false, 'released once')
      const second = await world.lock.acquire('rome')
      assert.ok(second !== undefined && second !== token, 'a new token')
      await world.elapse(LOCK_TTL_MS * 2)
      assert.equal(await world.lock.isHeld('rome'), false, 'expired: a dead holder is harmless')
      assert.ok(await world.lock.acquire('rome'))
    })

    test('bus: the other bus hears invalidate and filled, in order; the sender hears nothing of its own', async () => {
      const [a, b] = world.buses
      const heardByA = listen(a)
      const heardByB = listen(b)
      await a.publishInvalidate('cairo')
      await a.publishFilled('delhi', '"etag-1"')
      await waitFor(() => heardByB.length >= 2, 5000, 'both messages heard')
      assert.deepEqual(heardByB, [['invalidate', 'cairo'], ['filled', 'delhi', '"etag-1"']])
      // A message the other way, heard by A, proves A's silence above was not a slow delivery.
      await b.publishInvalidate('quito')
      await waitFor(() => heardByA.length >= 1, 5000, 'A hears B')
      assert.deepEqual(heardByA, [['invalidate', 'quito']])
      assert.equal(a.connected && b.connected, true)
    })
  })
}

let server: RedisServer
let cluster: RedisCluster
before(async () => {
  server = await startRedisServer()
  cluster = await startRedisCluster()
})
after(async () => {
  await server?.stop()
  await cluster?.stop()
})

contract('in-memory fakes, manual clock', fakeWorld())
contract('a real redis-server', realWorld(() => ({ kind: 'single', url: server.url })))
contract('a real Redis Cluster (3 masters, 3 replicas)', realWorld(() => ({
  kind: 'cluster',
  nodes: cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }))
})))
