import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../src/config.js'

test('defaults: port 3000, memory strategy without Redis, 300 s TTL, bounded L1', () => {
  const config = loadConfig({})
  assert.equal(config.port, 3000)
  assert.equal(config.cacheStrategy, 'memory')
  assert.equal(config.cacheTtlMs, 300_000)
  assert.ok(config.l1MaxEntries > 0 && config.l1MaxBytes > 0)
  assert.ok(config.workers >= 1)
  assert.ok(Object.isFrozen(config))
})

test('REDIS_URL makes layered the default strategy', () => {
  assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' }).cacheStrategy, 'layered')
  assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', CACHE_STRATEGY: 'none' }).cacheStrategy, 'none')
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
  assert.equal(loadConfig({}).l1Policy, 's3fifo')
  for (const policy of ['lru', 'sieve', 's3fifo', 'tinylfu'] as const) assert.equal(loadConfig({ L1_POLICY: policy }).l1Policy, policy)
  assert.throws(() => loadConfig({ L1_POLICY: 'arc' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CS_ERR_CONFIG_INVALID')
    assert.match(err.message, /L1_POLICY="arc": expected one of lru, sieve, s3fifo, tinylfu/)
    return true
  })
})

test('L1_INVALIDATION: pubsub by default; pubsub or tracking; anything else named in the error', () => {
  assert.equal(loadConfig({}).l1Invalidation, 'pubsub')
  for (const mode of ['pubsub', 'tracking'] as const) assert.equal(loadConfig({ L1_INVALIDATION: mode }).l1Invalidation, mode)
  assert.throws(() => loadConfig({ L1_INVALIDATION: 'keyspace' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CS_ERR_CONFIG_INVALID')
    assert.match(err.message, /L1_INVALIDATION="keyspace": expected one of pubsub, tracking/)
    return true
  })
})
