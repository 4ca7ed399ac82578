import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startOrigin } from '../helpers/origin.js'
import { startRedisServer, waitFor } from '../helpers/redis.js'
import { serviceBed } from '../helpers/service.js'

const bed = serviceBed({ originLatencyMs: 10, redis: true, env: () => ({ CACHE_STRATEGY: 'memory' }) })
const service = (env: Record<string, string> = {}) => bed.service(env)

async function originRequests (): Promise<number> {
  return (await bed.origin.stats()).requests
}

test('MISS, then HIT-L1, with the cache headers and the JSON answer', async () => {
  const { app } = await service()
  const before = await originRequests()
  const first = await app.inject('/weather/london')
  assert.equal(first.statusCode, 200)
  assert.equal(first.headers['x-cache'], 'MISS')
  assert.equal(first.headers['content-type'], 'application/json; charset=utf-8')
  // Fresh for up to 300 s (less with TTL jitter); grace advertised to downstream caches (RFC 5861).
  assert.match(String(first.headers['cache-control']), /^public, max-age=(2[7-9]\d|300), s-maxage=2, stale-while-revalidate=600, stale-if-error=600$/)
  assert.equal(first.headers.age, '0')
  assert.match(String(first.headers['server-timing']), /^l1;desc=miss, origin;dur=[\d.]+$/)
  const body = first.json()
  assert.equal(body.city.name, 'London')
  assert.equal(body.city.country, 'GB')
  for (const field of ['temperatureC', 'humidityPct', 'windKph', 'conditions', 'observedAt']) assert.ok(field in body.weather, field)
  assert.ok(typeof body.city.lat === 'number' && typeof body.city.lon === 'number')

  const second = await app.inject('/weather/london')
  assert.equal(second.headers['x-cache'], 'HIT-L1')
  assert.equal(second.headers['server-timing'], 'l1;desc=hit')
  assert.equal(second.headers.etag, first.headers.etag)
  assert.equal(second.body, first.body, 'the stored bytes, not a re-serialization')
  assert.equal(await originRequests(), before + 1)
})

test('every spelling of one city shares one entry', async () => {
  const { app } = await service()
  const before = await originRequests()
  const spellings = [
    '/weather/New%20York',
    '/weather/new%20york',
    '/weather/%20NEW%20%20YORK%20',
    '/weather/New%20York%20City',
    '/weather/new%20york?country=us'
  ]
  const answers = []
  for (const url of spellings) answers.push(await app.inject(url))
  assert.deepEqual(answers.map(a => a.statusCode), spellings.map(() => 200))
  assert.deepEqual(answers.map(a => a.headers['x-cache']), ['MISS', 'HIT-L1', 'HIT-L1', 'HIT-L1', 'HIT-L1'])
  assert.equal(await originRequests(), before + 1)
})

test('a shared name resolves to the most populous city; ?country disambiguates', async () => {
  const { app } = await service()
  assert.equal((await app.inject('/weather/paris')).json().city.country, 'FR')
  assert.equal((await app.inject('/weather/paris?country=US')).json().city.country, 'US')
  const unknownInCountry = await app.inject('/weather/paris?country=JP')
  assert.equal(unknownInCountry.statusCode, 404)
  assert.equal(unknownInCountry.json().code, 'CS_ERR_CITY_NOT_FOUND')
})

test('If-None-Match answers 304 without a body; HEAD answers headers only', async () => {
  const { app } = await service()
  const first = await app.inject('/weather/berlin')
  const etag = String(first.headers.etag)
  const notModified = await app.inject({ url: '/weather/berlin', headers: { 'if-none-match': etag } })
  assert.equal(notModified.statusCode, 304)
  assert.equal(notModified.body, '')
  assert.equal(notModified.headers.etag, etag)
  assert.equal((await app.inject({ url: '/weather/berlin', headers: { 'if-none-match': `"other", W/${etag}` } })).statusCode, 304)
  assert.equal((await app.inject({ url: '/weather/berlin', headers: { 'if-none-match': '"other"' } })).statusCode, 200)
  const head = await app.inject({ method: 'HEAD', url: '/weather/berlin' })
  assert.equal(head.statusCode, 200)
  assert.equal(head.body, '')
  assert.equal(head.headers['x-cache'], 'HIT-L1')
  assert.equal(head.headers['content-length'], String(first.rawPayload.length))
})

test('bad input: 400/404 JSON with a stable code, and neither Redis nor the origin is touched', async () => {
  const { app, redis } = await service({ CACHE_STRATEGY: 'layered', REDIS_URL: bed.redis.url })
  const redisCommands = async () => {
    const info = await redis!.info('stats')
    return Number(/total_commands_processed:(\d+)/.exec(info)![1])
  }
  const originBefore = await originRequests()
  const commandsBefore = await redisCommands()
  const cases: Array<[string, number, string]> = [
    ['/weather/%00x', 400, 'CS_ERR_CITY_INVALID'],
    ['/weather/' + 'a'.repeat(101), 400, 'CS_ERR_CITY_INVALID'],
    ['/weather/..%2F..%2Fetc%2Fpasswd', 400, 'CS_ERR_CITY_INVALID'],
    ['/weather/%20%20', 400, 'CS_ERR_CITY_INVALID'],
    ['/weather/%3Cscript%3E', 400, 'CS_ERR_CITY_INVALID'],
    ['/weather/%E0%A4%A', 400, 'CS_ERR_REQUEST_INVALID'],
    ['/weather/paris?country=FRA', 400, 'CS_ERR_COUNTRY_INVALID'],
    ['/weather/paris?country=FR&country=US', 400, 'CS_ERR_COUNTRY_INVALID'],
    ['/weather/atlantis-under-the-sea', 404, 'CS_ERR_CITY_NOT_FOUND'],
    ['/weather/', 400, 'CS_ERR_CITY_INVALID'],
    ['/nope', 404, 'CS_ERR_ROUTE_NOT_FOUND']
  ]
  for (const [url, status, code] of cases) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, status, url)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', url)
    const body = res.json()
    assert.equal(body.code, code, url)
    assert.equal(body.statusCode, status, url)
    assert.equal(typeof body.message, 'string')
  }
  assert.equal(await originRequests(), originBefore, 'the origin saw none of it')
  // The two INFO calls themselves are the only commands Redis processed.
  assert.equal(await redisCommands(), commandsBefore + 1, 'Redis saw none of it')
})

test('origin failing → 502 JSON; origin too slow → 504 JSON; nothing cached', async () => {
  const failing = await startOrigin({ errorRate: 1 })
  const slow = await startOrigin({ latencyMs: 500 })
  try {
    const a = await service({ ORIGIN_URL: failing.url })
    const res = await a.app.inject('/weather/madrid')
    assert.equal(res.statusCode, 502)
    assert.equal(res.json().code, 'CS_ERR_ORIGIN_UNAVAILABLE')
    const b = await service({ ORIGIN_URL: slow.url, ORIGIN_TIMEOUT_MS: '100' })
    // The origin answers 200 after 500 ms: a 504 with this code is the 100 ms bound firing.
    const timedOut = await b.app.inject('/weather/madrid')
    assert.equal(timedOut.statusCode, 504)
    assert.equal(timedOut.json().code, 'CS_ERR_ORIGIN_TIMEOUT')
    assert.equal(a.cache.peek('3117735'), undefined)
  } finally {
    await failing.close()
    await slow.close()
  }
})

test('health, readiness (503 while Redis is down) and metrics; /metrics is not on the public port', async () => {
  const redis = await startRedisServer()
  const s = await service({ CACHE_STRATEGY: 'layered', REDIS_URL: redis.url })
  assert.deepEqual((await s.app.inject('/health')).json(), { status: 'ok' })
  assert.equal((await s.app.inject('/ready')).statusCode, 200)
  await s.app.inject('/weather/rome')
  await s.app.inject('/weather/rome')
  assert.equal((await s.app.inject('/metrics')).json().code, 'CS_ERR_ROUTE_NOT_FOUND', 'metrics live on the internal listener only')
  const metrics = await s.metrics.registry.metrics()
  assert.match(metrics, /cachestack_cache_hits_total\{layer="l1"\} 1/)
  assert.match(metrics, /cachestack_cache_misses_total 1/)
  assert.match(metrics, /cachestack_origin_requests_total\{outcome="ok"\} 1/)
  assert.match(metrics, /cachestack_http_request_duration_seconds_count\{route="\/weather\/:city",method="GET",status_code="200"\} 2/)
  // What L1 holds, read at the scrape: one entry, its body plus the fixed overhead.
  assert.match(metrics, /cachestack_l1_entries 1\n/)
  const bytes = Number(/cachestack_l1_bytes (\d+)\n/.exec(metrics)?.[1])
  assert.ok(bytes > 64 && bytes < 10_000, `one entry's bytes: ${bytes}`)
  await redis.kill()
  await waitFor(() => s.redis!.status !== 'ready', 5000, 'redis down')
  const notReady = await s.app.inject('/ready')
  assert.equal(notReady.statusCode, 503)
  assert.equal(notReady.json().code, 'CS_ERR_NOT_READY')
  assert.equal(notReady.json().checks.redis, 'down')
  // Still serving: from L1, and from the origin for a new city.
  assert.equal((await s.app.inject('/weather/rome')).headers['x-cache'], 'HIT-L1')
  assert.equal((await s.app.inject('/weather/milan')).statusCode, 200)
})

test('layered: a second worker (another service on the same Redis) answers HIT-L2', async () => {
  const a = await service({ CACHE_STRATEGY: 'layered', REDIS_URL: bed.redis.url })
  const b = await service({ CACHE_STRATEGY: 'layered', REDIS_URL: bed.redis.url })
  const before = await originRequests()
  assert.equal((await a.app.inject('/weather/vienna')).headers['x-cache'], 'MISS')
  await waitFor(async () => (await b.redis!.exists('weather:v1:2761369')) === 1, 2000, 'L2 write')
  const fromL2 = await b.app.inject('/weather/vienna')
  assert.equal(fromL2.headers['x-cache'], 'HIT-L2')
  assert.match(String(fromL2.headers['server-timing']), /^l1;desc=miss, l2;desc=hit;dur=[\d.]+$/)
  assert.equal((await b.app.inject('/weather/vienna')).headers['x-cache'], 'HIT-L1')
  assert.equal(await originRequests(), before + 1)
})
