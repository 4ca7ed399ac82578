import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readEdgeEnv } from '../../src/nginx/edge-env.js'
import { readStackEnv } from '../../stack/stack-env.js'

test('npm run stack defaults: nginx on 8080, layered with Redis, edge off, rate limit on', () => {
  const options = readStackEnv({})
  assert.equal(options.nginxPort, 8080)
  assert.equal(options.strategy, 'layered')
  assert.equal(options.redis, 'single')
  assert.equal(options.appInstances, undefined, 'one instance unless told (a cluster defaults to 2 in startStack)')
  assert.equal(options.workers, 2)
  assert.equal(options.edgeCache, false)
  assert.deepEqual(options.rateLimit, { ratePerSecond: 50, burst: 100 })
  assert.equal(options.appPort, undefined, 'other ports are free ports unless given')
})

test('the environment configures ports, edge tier, rate limit, strategy', () => {
  const options = readStackEnv({
    NGINX_PORT: '9090',
    APP_PORT: '9091',
    ORIGIN_PORT: '9092',
    REDIS_PORT: '9093',
    EDGE_CACHE: 'on',
    RATE_LIMIT_RPS: '5',
    RATE_LIMIT_BURST: '0',
    CACHE_STRATEGY: 'memory',
    WORKERS: '3'
  })
  assert.deepEqual(
    [
      options.nginxPort,
      options.appPort,
      options.originPort,
      options.redisPort,
      options.edgeCache,
      options.rateLimit,
      options.strategy,
      options.redis,
      options.workers
    ],
    [9090, 9091, 9092, 9093, true, { ratePerSecond: 5, burst: 0 }, 'memory', false, 3]
  )
  assert.equal(readEdgeEnv({ RATE_LIMIT: 'off' }).rateLimit, false)
  assert.equal(readEdgeEnv({ ACCESS_LOG: 'off' }).accessLog, false)
})

test('every bad variable is named at once', () => {
  assert.throws(() => readStackEnv({ NGINX_PORT: '80800', EDGE_CACHE: 'maybe', CACHE_STRATEGY: 'fast' }), (err: Error) => {
    assert.match(err.message, /NGINX_PORT="80800": expected an integer from 1 to 65535/)
    assert.match(err.message, /EDGE_CACHE="maybe": expected on or off/)
    assert.match(err.message, /CACHE_STRATEGY="fast": expected one of none, memory, redis, layered/)
    return true
  })
})

test('--redis cluster and --instances (or REDIS_TOPOLOGY, APP_INSTANCES) choose the scale-out topology; flags win', () => {
  const cluster = readStackEnv({}, ['--redis', 'cluster'])
  assert.equal(cluster.redis, 'cluster')
  assert.equal(cluster.appInstances, undefined)
  const env = readStackEnv({ REDIS_TOPOLOGY: 'cluster', APP_INSTANCES: '3' }, ['--instances', '2'])
  assert.deepEqual([env.redis, env.appInstances], ['cluster', 2])
  assert.equal(readStackEnv({ CACHE_STRATEGY: 'memory' }, ['--redis', 'cluster']).redis, false, 'no L2, no Redis')
  assert.throws(() => readStackEnv({}, ['--redis', 'sharded']), /REDIS_TOPOLOGY="sharded": expected one of single, cluster/)
  assert.throws(() => readStackEnv({}, ['--instances', '0']), /APP_INSTANCES="0": expected an integer from 1 to 16/)
  assert.throws(() => readStackEnv({}, ['--replicas', '2']), /invalid stack arguments/)
})
