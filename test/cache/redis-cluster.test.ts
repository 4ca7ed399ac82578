// The engine on a real Redis Cluster (3 masters, 3 replicas): cluster-wide single-flight, the
// coherence bus, and a master killed under traffic.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { CacheEngine } from '../../src/cache/engine.js'
import { createCacheEngine } from '../../src/cache/strategies.js'
import { createEntry, type CacheEntry } from '../../src/cache/entry.js'
import { monotonicClock } from '../../src/cache/clock.js'
import { createRedisClient, type RedisClient } from '../../src/redis.js'
import { startRedisCluster, type RedisCluster } from '../../stack/redis-cluster.js'
import { silentLogger, testConfig } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/redis.js'

let cluster: RedisCluster
const clients: RedisClient[] = []
const engines: CacheEngine[] = []

before(async () => { cluster = await startRedisCluster() })
after(async () => {
  for (const engine of engines) await engine.close()
  for (const client of clients) client.disconnect()
  await cluster.stop()
})

const config = testConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:1', LOCK_WAIT_MS: '3000', CACHE_TTL_JITTER: '0', BREAKER_RESET_MS: '200' })

async function instance (): Promise<CacheEngine> {
  const target = { kind: 'cluster' as const, nodes: cluster.nodes.map(n => ({ host: '127.0.0.1', port: n.port })) }
  const redis = createRedisClient({ target, commandTimeoutMs: 300, connectTimeoutMs: 2000 }, silentLogger())
  const subscriber = createRedisClient({ target, commandTimeoutMs: 300, connectTimeoutMs: 2000 }, silentLogger(), { subscriber: true })
  clients.push(redis, subscriber)
  await waitFor(() => redis.status === 'ready', 10_000, 'cluster client ready')
  const engine = createCacheEngine('layered', { config, redis, subscriber, clock: monotonicClock, logger: silentLogger() })
  await engine.start()
  engines.push(engine)
  return engine
}

let calls = 0
const load = async (key: string): Promise<CacheEntry> => {
  calls++
  await new Promise(resolve => setTimeout(resolve, 100))
  return createEntry(JSON.stringify({ key, n: calls }), Date.now())
}

test('cluster: 1,000 concurrent cold requests across two instances → exactly 1 load', async () => {
  const [a, b] = await Promise.all([instance(), instance()])
  calls = 0
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? a : b).get('cluster-cold', load)))
  assert.equal(calls, 1)
  assert.equal(new Set(results.map(r => r.entry.etag)).size, 1)
})

test('cluster: keys spread over the three masters', async () => {
  const a = await instance()
  for (let i = 0; i < 60; i++) await a.get(`spread-${i}`, load)
  await new Promise(resolve => setTimeout(resolve, 200))
  const masters = (await cluster.describe()).filter(n => n.role === 'master')
  assert.equal(masters.length, 3)
  assert.ok(masters.every(m => m.keys > 5), `per-shard keys: ${masters.map(m => m.keys).join(', ')}`)
})

test('cluster: a purge on one instance reaches the other\'s L1 over the bus', async () => {
  const [a, b] = await Promise.all([instance(), instance()])
  await a.get('cluster-purge', load)
  await waitFor(async () => (await b.get('cluster-purge', load)).source === 'HIT-L2', 2000, 'L2')
  assert.ok(b.peek('cluster-purge'))
  await a.delete('cluster-purge')
  // b does not read in between: only the bus can empty its L1.
  await waitFor(() => b.peek('cluster-purge') === undefined, 5000, 'purge over the cluster bus')
})

test('cluster: a master killed under traffic → every request answered; L2 hits resume after the failover', async () => {
  const [a, b] = await Promise.all([instance(), instance()])
  const masters = (await cluster.describe()).filter(n => n.role === 'master')
  const victim = cluster.nodes.find(n => n.port === masters[0]!.port)!
  let failures = 0
  let served = 0
  const end = Date.now() + 4500
  const traffic = (async () => {
    // New keys all the time, so L2 and the lock are exercised through the failover.
    for (let i = 0; Date.now() < end; i++) {
      const engine = i % 2 === 0 ? a : b
      await Promise.all(Array.from({ length: 10 }, (_, j) => engine.get(`traffic-${i * 10 + j}`, load).then(() => { served++ }, () => { failures++ })))
      await new Promise(resolve => setImmediate(resolve))
    }
  })()
  await new Promise(resolve => setTimeout(resolve, 500))
  await victim.kill()
  await traffic
  assert.equal(failures, 0, `failed requests during the failover (served ${served})`)
  assert.ok(served > 100, `served ${served}`)
  await cluster.waitUntilHealthy(20_000)
  await waitFor(async () => {
    const key = `after-failover-${Math.random()}`
    await a.get(key, load)
    await new Promise(resolve => setTimeout(resolve, 100))
    return (await b.get(key, load)).source === 'HIT-L2'
  }, 15_000, 'L2 hits after the replica took over')
})
