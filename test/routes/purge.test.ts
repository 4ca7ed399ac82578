import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createService } from '../../src/service.js'
import { cityIndex, silentLogger, testConfig } from '../helpers/fixtures.js'
import { startOrigin } from '../helpers/origin.js'
import { waitFor } from '../helpers/redis.js'
import { serviceBed } from '../helpers/service.js'

const TOKEN = 'purge-token-0123456789abcdef'
const bed = serviceBed({ originLatencyMs: 5, redis: true, env: (b) => ({ CACHE_STRATEGY: 'layered', REDIS_URL: b.redis.url, PURGE_TOKEN: TOKEN }) })
const service = (env: Record<string, string> = {}) => bed.service(env)
const origin = { stats: () => bed.origin.stats() }

test('DELETE without the bearer token is 401 JSON and purges nothing', async () => {
  const { app } = await service()
  await app.inject('/weather/lisbon')
  for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, 'Bearer ']) {
    const res = await app.inject({ method: 'DELETE', url: '/weather/lisbon', headers: authorization === undefined ? {} : { authorization } })
    assert.equal(res.statusCode, 401, String(authorization))
    assert.equal(res.json().code, 'CS_ERR_UNAUTHORIZED')
    assert.equal(res.headers['www-authenticate'], 'Bearer')
  }
  assert.equal((await app.inject('/weather/lisbon')).headers['x-cache'], 'HIT-L1')
})

test('without PURGE_TOKEN configured, purging is disabled (401)', async () => {
  const s = bed.track(createService({
    config: testConfig({ ORIGIN_URL: bed.origin.url }),
    logger: silentLogger(),
    cities: cityIndex(),
    collectDefaultMetrics: false
  }))
  const res = await s.app.inject({ method: 'DELETE', url: '/weather/lisbon', headers: { authorization: 'Bearer ' } })
  assert.equal(res.statusCode, 401)
})

test('DELETE with the token: 204, then a fresh fetch here and on another instance', async () => {
  const a = await service()
  const b = await service()
  const id = String((await a.app.inject('/weather/porto')).json().city.id)
  await waitFor(async () => (await b.app.inject('/weather/porto')).headers['x-cache'] === 'HIT-L2', 2000, 'L2 fill')
  assert.equal((await b.app.inject('/weather/porto')).headers['x-cache'], 'HIT-L1')
  const before = (await origin.stats()).requests
  const purge = await a.app.inject({ method: 'DELETE', url: '/weather/Porto', headers: { authorization: `Bearer ${TOKEN}` } })
  assert.equal(purge.statusCode, 204)
  await waitFor(() => b.cache.peek(id) === undefined, 100, 'the purge to reach the other instance')
  assert.equal((await b.app.inject('/weather/porto')).headers['x-cache'], 'MISS')
  assert.equal((await origin.stats()).requests, before + 1)
  assert.equal((await a.app.inject({ method: 'DELETE', url: '/weather/%00', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 400)
})

test('a stale answer says so: X-Cache STALE, max-age=0, grace advertised', async () => {
  const s = await service({ CACHE_STRATEGY: 'memory', CACHE_TTL_SECONDS: '1', CACHE_GRACE_SECONDS: '30' })
  await s.app.inject('/weather/seville')
  await new Promise(resolve => setTimeout(resolve, 1100))
  const stale = await s.app.inject('/weather/seville')
  assert.equal(stale.statusCode, 200)
  assert.equal(stale.headers['x-cache'], 'STALE')
  assert.equal(stale.headers['cache-control'], 'public, max-age=0, s-maxage=0, stale-while-revalidate=30, stale-if-error=30')
  assert.equal(stale.headers['server-timing'], 'l1;desc=stale')
  assert.ok(Number(stale.headers.age) >= 1)
})

test('a client that aborts during a miss costs one origin call, and its answer is cached for the next', async () => {
  const slow = await startOrigin({ latencyMs: 200 })
  try {
    const s = createService({ config: testConfig({ ORIGIN_URL: slow.url }), logger: silentLogger(), cities: cityIndex(), collectDefaultMetrics: false })
    bed.track(s)
    const address = await s.app.listen({ port: 0, host: '127.0.0.1' })
    const controller = new AbortController()
    const aborted = fetch(`${address}/weather/bilbao`, { signal: controller.signal }).catch((err: Error) => err)
    await new Promise(resolve => setTimeout(resolve, 50))
    controller.abort()
    assert.ok((await aborted) instanceof Error)
    // The load the aborted request started goes on (other callers may share it) and fills L1.
    const key = cityIndex().resolve('bilbao')!.key
    await waitFor(() => s.cache.peek(key) !== undefined, 5000, 'the load to finish and fill L1')
    const next = await fetch(`${address}/weather/bilbao`)
    assert.equal(next.headers.get('x-cache'), 'HIT-L1')
    assert.equal((await slow.stats()).requests, 1)
  } finally {
    await slow.close()
  }
})
