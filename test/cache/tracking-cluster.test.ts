// L1_INVALIDATION=tracking on a real Redis Cluster (3 masters, 3 replicas): a server tracks only
// its own keys, so every master's command connection tracks, redirected to a receiver on that
// master; an out-of-band write on any master drops the copies; a failover re-arms the promoted
// replica and flushes L1.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Cluster } from 'ioredis'
import type { CacheEngine } from '../../src/cache/engine.js'
import { createCacheEngine } from '../../src/cache/strategies.js'
import { createEntry, type CacheEntry } from '../../src/cache/entry.js'
import { encodeL2Value } from '../../src/cache/l2-format.js'
import { L2_FORMAT_VERSION } from '../../src/cache/redis-store.js'
import { monotonicClock } from '../../src/cache/clock.js'
import { createRedisClient, type RedisClient } from '../../src/redis.js'
import type { L1InvalidationMode } from '../../src/config.js'
import { startRedisCluster, type RedisCluster } from '../../stack/redis-cluster.js'
import { silentLogger, testConfig } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/redis.js'
import { withRedis } from '../../stack/redis-once.js'

let cluster: RedisCluster
let oob: Cluster
const clients: RedisClient[] = []
const engines: CacheEngine[] = []

before(async () => {
  cluster = await startRedisCluster()
  // As `redis-cli -c` would: a plain client following redirections.
  oob = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), { redisOptions: { maxRetriesPerRequest: 1 } })
  oob.on('error', () => {})
  await waitFor(() => oob.status === 'ready', 10_000, 'out-of-band client ready')
})
after(async () => {
  for (const engine of engines) await engine.close()
  for (const client of clients) client.disconnect()
  oob.disconnect()
  await cluster.stop()
})

const PREFIX = 'trackc'
const redisKey = (key: string): string => `${PREFIX}:${L2_FORMAT_VERSION}:${key}`

async function instance (mode: L1InvalidationMode = 'tracking'): Promise<CacheEngine> {
  const config = testConfig({
    REDIS_CLUSTER_NODES: '127.0.0.1:1',
    REDIS_KEY_PREFIX: mode === 'tracking' ? PREFIX : `${PREFIX}-pubsub`,
    L1_INVALIDATION: mode,
    CACHE_TTL_SECONDS: '60',
    CACHE_GRACE_SECONDS: '60',
    CACHE_TTL_JITTER: '0',
    LOCK_WAIT_MS: '3000'
  })
  const target = { kind: 'cluster' as const, nodes: cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })) }
  const redis = createRedisClient({ target, commandTimeoutMs: 300, connectTimeoutMs: 2000 }, silentLogger())
  const subscriber = createRedisClient({ target, commandTimeoutMs: 300, connectTimeoutMs: 2000 }, silentLogger(), { subscriber: true })
  clients.push(redis, subscriber)
  await waitFor(() => redis.status === 'ready', 10_000, 'cluster client ready')
  const engine = createCacheEngine('layered', { config, redis, subscriber, clock: monotonicClock, logger: silentLogger() })
  engines.push(engine)
  await engine.start()
  return engine
}

const load = async (key: string): Promise<CacheEntry> => createEntry(JSON.stringify({ key, at: Math.random() }), Date.now())
const handWritten = (key: string): string => encodeL2Value(createEntry(JSON.stringify({ key, by: 'hand', at: Math.random() }), Date.now()), 60_000, 0)

/** `count` keys (with `tag` in their name) held by each master, as master port → keys. */
async function keysPerMaster (tag: string, count: number): Promise<Map<number, string[]>> {
  const masters = (await cluster.describe()).filter((n) => n.role === 'master').map((n) => n.port)
  const slots = await withRedis(masters[0]!, async (c) => await c.call('CLUSTER', 'SLOTS') as Array<[number, number, [string, number]]>)
  const owner = (slot: number): number => slots.find(([from, to]) => slot >= from && slot <= to)![2][1]
  const byMaster = new Map<number, string[]>(masters.map((port) => [port, []]))
  for (let i = 0; [...byMaster.values()].some((keys) => keys.length < count); i++) {
    const key = `${tag}-${i}`
    const slot = Number(await oob.call('CLUSTER', 'KEYSLOT', redisKey(key)))
    const keys = byMaster.get(owner(slot))!
    if (keys.length < count) keys.push(key)
  }
  return byMaster
}

/** Fills every key through `first`, then promotes it into the others' L1. */
async function holdEverywhere (engines: readonly CacheEngine[], keys: readonly string[], prefix = PREFIX): Promise<void> {
  const [first, ...others] = engines
  for (const key of keys) await first!.get(key, load)
  await waitFor(async () => (await Promise.all(keys.map(async (key) => await oob.exists(`${prefix}:${L2_FORMAT_VERSION}:${key}`)))).every((n) => n === 1),
    5000, 'the fills in L2')
  for (const other of others) for (const key of keys) assert.equal((await other.get(key, load)).source, 'HIT-L2')
  for (const engine of engines) for (const key of keys) assert.ok(engine.peek(key), `${key} held`)
}

test('cluster tracking: every master\'s command connection tracks, redirected to a receiver on that same master', async () => {
  await Promise.all([instance(), instance()])
  const masters = (await cluster.describe()).filter((n) => n.role === 'master')
  assert.equal(masters.length, 3)
  for (const master of masters) {
    const list = await withRedis(master.port, async (c) => String(await c.client('LIST')))
    const records = list.trim().split('\n')
      .map((line) => Object.fromEntries(line.trim().split(' ').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)])))
    const tracking = records.filter((r) => r.flags!.includes('t') && r.redir !== '-1' && r.redir !== '0')
    const receivers = new Set(records.filter((r) => r.name === 'cachestack-tracking' && r.flags!.includes('P')).map((r) => r.id))
    assert.ok(tracking.length >= 2, `master ${master.port}: ${tracking.length} tracking connections`)
    for (const t of tracking) assert.ok(receivers.has(t.redir!), `master ${master.port}: redirected to a receiver on the same node`)
  }
})

test('cluster tracking: an out-of-band write on any master drops both instances\' copies; own fills keep theirs', async () => {
  const [a, b] = await Promise.all([instance(), instance()])
  const byMaster = await keysPerMaster('oob', 3)
  const keys = [...byMaster.values()].flat()
  const [barrier, held] = [[...byMaster.values()].map((k) => k[0]!), [...byMaster.values()].flatMap((k) => k.slice(1))]
  await holdEverywhere([a, b], keys)
  // One barrier write per master: once each is reported, a report of a's own fills (earlier, on the
  // same master) would have been too.
  for (const key of barrier) await oob.set(redisKey(key), handWritten(key), 'PX', 120_000)
  await waitFor(() => barrier.every((key) => a.peek(key) === undefined && b.peek(key) === undefined), 5000, 'the barrier writes reported')
  for (const key of held) assert.ok(a.peek(key), `a's own fill of ${key} kept`)
  for (const key of held) await oob.set(redisKey(key), handWritten(key), 'PX', 120_000)
  await waitFor(() => held.every((key) => a.peek(key) === undefined && b.peek(key) === undefined), 5000, 'every copy on every master dropped')
  for (const key of held) assert.equal((await b.get(key, load)).source, 'HIT-L2')
})

test('cluster, pubsub: the same out-of-band writes go unseen (the documented difference)', async () => {
  const [a, b] = await Promise.all([instance('pubsub'), instance('pubsub')])
  const keys = ['unseen-1', 'unseen-2', 'unseen-3', 'unseen-barrier']
  await holdEverywhere([a, b], keys, `${PREFIX}-pubsub`)
  const etags = keys.map((key) => b.peek(key)!.entry.etag)
  for (const key of keys.slice(0, 3)) await oob.set(`${PREFIX}-pubsub:${L2_FORMAT_VERSION}:${key}`, handWritten(key), 'PX', 120_000)
  await a.delete('unseen-barrier')
  await waitFor(() => b.peek('unseen-barrier') === undefined, 5000, 'a bus message after the writes')
  keys.slice(0, 3).forEach((key, i) => assert.equal(b.peek(key)?.entry.etag, etags[i], `${key}: stale, still served`))
})

test('cluster tracking: a master killed → the promoted replica is armed, L1 flushed; later writes on it still drop copies', async () => {
  const [a, b] = await Promise.all([instance(), instance()])
  const byMaster = await keysPerMaster('failover', 2)
  const [victimPort, victimKeys] = [...byMaster.entries()][0]!
  const otherKeys = [...byMaster.entries()].slice(1).flatMap(([, keys]) => keys)
  await holdEverywhere([a, b], [...victimKeys, ...otherKeys])
  // A replica that never synced may not take over (Redis 7 delays the first full sync by 5 s).
  await waitFor(async () => (await Promise.all(cluster.nodes.map((n) => withRedis(n.port, async (c) => String(await c.info('replication'))))))
    .every((info) => info.includes('role:master') || info.includes('master_link_status:up')), 20_000, 'every replica in sync')
  await cluster.nodes.find((n) => n.port === victimPort)!.kill()
  await cluster.waitUntilHealthy(20_000)
  // Flushed once every slot's master is armed again — copies on the healthy masters included.
  await waitFor(() => [a, b].every((e) => e.l1Usage()?.entries === 0), 20_000, 'L1 flushed after the failover')
  const masters = (await cluster.describe()).filter((n) => n.role === 'master').map((n) => n.port)
  assert.ok(!masters.includes(victimPort))
  const after = await keysPerMaster('after-failover', 1)
  const promoted = [...after.keys()].find((port) => !byMaster.has(port))
  assert.ok(promoted !== undefined, 'a replica took the victim\'s slots')
  const keys = [...after.values()].flat()
  // The bus came up only once ioredis knew the promoted master: these fills land there.
  await holdEverywhere([a, b], keys)
  for (const key of keys) await oob.set(redisKey(key), handWritten(key), 'PX', 120_000)
  await waitFor(() => keys.every((key) => a.peek(key) === undefined && b.peek(key) === undefined), 5000, 'writes on the promoted master reported')
})
