// Scale-out end to end: nginx → 2 app instances (2 workers each) → a Redis Cluster of 3 masters
// and 3 replicas, over real HTTP. Cluster-wide single-flight, purge across instances, and a
// master killed under an autocannon run through nginx.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool, request } from 'undici'
import { loadCities } from '../../src/cities/dataset.js'
import { groupMembers, isAlive } from '../../stack/process-group.js'
import { startStack, type Stack } from '../../stack/stack.js'
import { selectCities } from '../../loadtest/drive/cities.js'
import { runLoad } from '../../loadtest/drive/load.js'
import { appWeatherRequests, get, originRequests } from '../helpers/stack-http.js'

const PURGE_TOKEN = 'scale-out-purge-token-0123456789'
let stack: Stack

before(async () => {
  stack = await startStack({
    strategy: 'layered',
    redis: 'cluster',
    appInstances: 2,
    workers: 2,
    rateLimit: false,
    accessLog: false,
    // Waiters must outlast a 200 ms fill; a short breaker reset so L2 comes back soon after a failover.
    appEnv: { PURGE_TOKEN, LOCK_WAIT_MS: '3000', BREAKER_RESET_MS: '300', CACHE_TTL_JITTER: '0' },
    originEnv: { ORIGIN_LATENCY_MS: '200', ORIGIN_JITTER_MS: '0' },
    forwardOutput: false
  })
})
after(async () => { await stack?.stop() })

test('the topology: 2 instances in nginx\'s upstream, 3 masters + 3 replicas, apps on REDIS_CLUSTER_NODES', async () => {
  assert.equal(stack.redisTopology, 'cluster')
  assert.equal(stack.urls.apps.length, 2)
  assert.equal(stack.urls.app, stack.urls.apps[0])
  assert.equal(stack.pids.apps.length, 2)
  assert.equal(stack.urls.redis, undefined, 'no single redis-server')
  assert.equal(stack.urls.redisCluster?.split(',').length, 6)
  const conf = readFileSync(stack.nginxConfigPath, 'utf8')
  for (const url of stack.urls.apps) assert.match(conf, new RegExp(`server 127\\.0\\.0\\.1:${new URL(url).port} max_fails=0;`))
  const roles = (await stack.redisCluster!.describe()).map((n) => n.role).sort()
  assert.deepEqual(roles, ['master', 'master', 'master', 'replica', 'replica', 'replica'])
  for (const url of stack.urls.apps) assert.equal((await get(`${url}/ready`)).status, 200, `${url} is ready on the cluster`)
})

test('1,000 concurrent cold requests for one city through nginx → exactly 1 origin request; both instances served', async () => {
  const before = await originRequests(stack.urls.origin)
  const served = await Promise.all(stack.urls.metricsAll.map(appWeatherRequests))
  const pool = new Pool(stack.urls.nginx, { connections: 250 })
  try {
    const answers = await Promise.all(Array.from({ length: 1000 }, async () => {
      const res = await pool.request({ method: 'GET', path: '/weather/buenos%20aires', headersTimeout: 15_000, bodyTimeout: 15_000 })
      await res.body.dump()
      return res.statusCode
    }))
    assert.deepEqual([...new Set(answers)], [200])
  } finally {
    await pool.close()
  }
  assert.equal(await originRequests(stack.urls.origin) - before, 1, 'one origin request for the whole stampede')
  const after = await Promise.all(stack.urls.metricsAll.map(appWeatherRequests))
  after.forEach((count, i) => assert.ok(count - served[i]! > 0, `instance ${i + 1} answered some of them (${count - served[i]!})`))
})

test('a purge on one instance: the other instance answers with a fresh fetch once the bus arrives', async () => {
  const [a, b] = stack.urls.apps as [string, string]
  const path = '/weather/montevideo'
  assert.equal((await get(a + path)).status, 200)
  // B's workers hold the city in L1 (each filled from L2 or already so).
  for (let i = 0; i < 4; i++) assert.match((await get(b + path)).headers['x-cache'] ?? '', /^HIT-L[12]$/)
  const origin = await originRequests(stack.urls.origin)
  const purge = await request(`${a}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${PURGE_TOKEN}` } })
  await purge.body.dump()
  assert.equal(purge.statusCode, 204)
  // The bus empties B's L1s; until it has, B may still answer HIT-L1. How fast it does is the
  // coherence benchmark's figure (npm run bench -- coherence); here the bound only means "arrives".
  const purged = performance.now()
  let answer = await get(b + path)
  while (answer.headers['x-cache'] !== 'MISS' && performance.now() - purged < 5000) answer = await get(b + path)
  assert.equal(answer.headers['x-cache'], 'MISS', `still ${answer.headers['x-cache']} ${(performance.now() - purged).toFixed(0)} ms after the purge`)
  assert.equal(await originRequests(stack.urls.origin) - origin, 1, 'a fresh fetch from the provider')
})

test('a master SIGKILLed during a 6 s autocannon run through nginx → 0 non-2xx; L2 hits resume on the other instance', async () => {
  const cities = selectCities(loadCities(), 600)
  let next = 0
  const masters = (await stack.redisCluster!.describe()).filter((n) => n.role === 'master')
  const victim = stack.redisCluster!.nodes.find((n) => n.port === masters[0]!.port)!
  // Many cities in a seeded shuffle: misses, lock waits and L2 hits keep happening through the failover.
  const order = cities.map((_, i) => (i * 7919) % cities.length)
  const load = runLoad({
    url: stack.urls.nginx,
    nextPath: () => `/weather/${cities[order[next++ % order.length]!]!.segment}`,
    durationSeconds: 6,
    connections: 20,
    pipelining: 1,
    rate: null,
    timeoutSeconds: 10,
    maxResponses: 1_000_000,
    recordLatencies: false
  })
  await sleep(1500)
  await victim.kill()
  const outcome = await load
  assert.ok(outcome.ok > 200, `served ${outcome.ok}`)
  assert.equal(outcome.non2xx, 0, `non-2xx during the failover: ${JSON.stringify(outcome.statusCodes)}`)
  assert.equal(outcome.errors, 0, 'connection errors during the failover')

  await stack.redisCluster!.waitUntilHealthy(20_000)
  const promoted = (await stack.redisCluster!.describe()).filter((n) => n.role === 'master')
  assert.equal(promoted.length, 3, 'a replica took the dead master\'s slots')
  const [a, b] = stack.urls.apps as [string, string]
  const deadline = Date.now() + 20_000
  let hit: string | undefined
  // A city filled on A after the failover (MISS there) is an L2 hit on B: through every shard.
  for (let i = 0; hit !== 'HIT-L2' && Date.now() < deadline; i++) {
    const segment = cities[cities.length - 1 - i]!.segment
    assert.equal((await get(`${a}/weather/${segment}`)).status, 200)
    hit = (await get(`${b}/weather/${segment}`)).headers['x-cache']
    if (hit !== 'HIT-L2') await sleep(200)
  }
  assert.equal(hit, 'HIT-L2', 'L2 hits resumed on the other instance after the replica was promoted')
})

test('stop() leaves no process behind: nginx, both instances and their workers, the origin, every cluster node', async () => {
  const pids = stack.pids
  const everyone = [
    ...groupMembers(pids.nginx),
    ...pids.apps.flatMap((pid) => groupMembers(pid)),
    ...groupMembers(pids.origin),
    ...(pids.redisNodes ?? [])
  ]
  assert.ok(pids.apps.flatMap((pid) => groupMembers(pid)).length >= 6, 'two primaries with two workers each')
  await stack.stop()
  assert.deepEqual(everyone.filter(isAlive), [], 'every pid is gone')
  await assert.rejects(get(`${stack.urls.nginx}/health`))
})
