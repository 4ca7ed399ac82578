import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../src/config.js'

test('defaults: port 3000, memory strategy without Redis, 300 s TTL, bounded L1', () => {
  const config = loadConfig({})
  assert.equal(config.http.port, 3000)
  assert.equal(config.cache.strategy, 'memory')
  assert.equal(config.cache.ttlMs, 300_000)
  assert.ok(config.cache.l1.maxEntries > 0 && config.cache.l1.maxBytes > 0)
  assert.ok(config.cluster.workers >= 1)
  assert.ok(Object.isFrozen(config))
})

test('grouped by concern, every group frozen, nested ones too', () => {
  const config = loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001', HOST: '0.0.0.0', ORIGIN_TIMEOUT_MS: '1000' })
  assert.deepEqual(Object.keys(config), ['http', 'metrics', 'cluster', 'cache', 'redis', 'origin', 'log', 'naive'])
  assert.equal(config.metrics.host, '0.0.0.0', 'METRICS_HOST defaults to HOST')
  assert.equal(config.cache.lockWaitMs, 1500, 'LOCK_WAIT_MS defaults to ORIGIN_TIMEOUT_MS + 500')
  assert.equal(config.redis.target?.kind, 'cluster')
  const frozen = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return
    assert.ok(Object.isFrozen(value), `${path} is not frozen`)
    for (const [key, inner] of Object.entries(value)) frozen(inner, `${path}.${key}`)
  }
  frozen(config, 'config')
})

test('REDIS_URL makes layered the default strategy', () => {
  assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' }).cache.strategy, 'layered')
  assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', CACHE_STRATEGY: 'none' }).cache.strategy, 'none')
})

test('every invalid variable is named in one error', () => {
  assert.throws(() => loadConfig({ PORT: 'abc', CACHE_STRATEGY: 'fastest', WORKERS: '0', REDIS_URL: 'http://x' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CS_ERR_CONFIG_INVALID')
    for (const name of ['PORT="abc"', 'CACHE_STRATEGY="fastest"', 'WORKERS="0"', 'REDIS_URL="http://x"']) {
      assert.ok(err.message.includes(name), `${name} missing from: ${err.message}`)
    }
    return true
  })
})

test('a Redis strategy without REDIS_URL is a start-up error', () => {
  assert.throws(() => loadConfig({ CACHE_STRATEGY: 'layered' }), /CACHE_STRATEGY=layered: needs REDIS_URL/)
})

test('zero is not "unbounded": L1 bounds must be positive', () => {
  assert.throws(() => loadConfig({ L1_MAX_ENTRIES: '0' }), /L1_MAX_ENTRIES/)
  assert.throws(() => loadConfig({ L1_MAX_BYTES: '0' }), /L1_MAX_BYTES/)
})

test('L1_POLICY: s3fifo by default (docs/caching-policies.md); lru, sieve, s3fifo or tinylfu; anything else named in the error', () => {
  assert.equal(loadConfig({}).cache.l1.policy, 's3fifo')
  for (const policy of ['lru', 'sieve', 's3fifo', 'tinylfu'] as const) assert.equal(loadConfig({ L1_POLICY: policy }).cache.l1.policy, policy)
  assert.throws(() => loadConfig({ L1_POLICY: 'arc' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CS_ERR_CONFIG_INVALID')
    assert.match(err.message, /L1_POLICY="arc": expected one of lru, sieve, s3fifo, tinylfu/)
    return true
  })
})

test('L1_INVALIDATION: pubsub by default; pubsub or tracking; anything else named in the error', () => {
  assert.equal(loadConfig({}).cache.l1.invalidation, 'pubsub')
  for (const mode of ['pubsub', 'tracking'] as const) assert.equal(loadConfig({ L1_INVALIDATION: mode }).cache.l1.invalidation, mode)
  assert.throws(() => loadConfig({ L1_INVALIDATION: 'keyspace' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CS_ERR_CONFIG_INVALID')
    assert.match(err.message, /L1_INVALIDATION="keyspace": expected one of pubsub, tracking/)
    return true
  })
})
