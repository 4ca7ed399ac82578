// One default stack (layered, edge off) end to end through nginx; then restartApp, flushRedis,
// and stop() leaving no process behind.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { Redis } from 'ioredis'
import { groupMembers, isAlive } from '../../stack/process-group.js'
import { startStack, type Stack } from '../../stack/stack.js'
import { waitFor } from '../helpers/redis.js'
import { get } from '../helpers/stack-http.js'

let stack: Stack
before(async () => { stack = await startStack({ strategy: 'layered', workers: 2 }) })
after(async () => { await stack?.stop() })

async function keys (url: string): Promise<string[]> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await client.connect()
    return await client.keys('*')
  } finally {
    client.disconnect()
  }
}

const dbsize = async (url: string): Promise<number> => (await keys(url)).length

test('every part listens on its own free loopback port', () => {
  const ports = [stack.urls.nginx, stack.urls.app, stack.urls.origin, stack.urls.redis!].map((url) => new URL(url))
  for (const url of ports) {
    assert.equal(url.hostname, '127.0.0.1')
    assert.ok(!['8080', '3000', '4000', '6379'].includes(url.port), `${url.href} avoids the well-known ports`)
  }
  assert.equal(new Set(ports.map((url) => url.port)).size, 4)
})

test('GET /weather/paris through nginx: 200 from the app, MISS then a cache hit', async () => {
  const first = await get(`${stack.urls.nginx}/weather/paris`)
  assert.equal(first.status, 200)
  assert.equal(first.headers['x-cache'], 'MISS')
  assert.match(first.headers['cache-control'] ?? '', /^public, max-age=\d+\b/)
  assert.equal((JSON.parse(first.body) as { city: { name: string } }).city.name, 'Paris')
  assert.equal(first.headers['x-cache-edge'], undefined, 'no edge tier unless asked')
  const second = await get(`${stack.urls.nginx}/weather/paris`)
  assert.match(second.headers['x-cache'] ?? '', /^HIT-L[12]$/)
})

test('X-Request-Id: a well-formed one is passed through, a malformed one replaced, a missing one generated', async () => {
  assert.equal((await get(`${stack.urls.nginx}/weather/paris`, { 'x-request-id': 'test-req.42' })).headers['x-request-id'], 'test-req.42')
  const replaced = (await get(`${stack.urls.nginx}/weather/paris`, { 'x-request-id': 'bad id {}' })).headers['x-request-id']
  assert.match(replaced ?? '', /^[0-9a-f]{32}$/)
  assert.match((await get(`${stack.urls.nginx}/weather/paris`)).headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/)
})

test('/health is nginx\'s own answer; app errors pass through with their code', async () => {
  const health = await get(`${stack.urls.nginx}/health`)
  assert.equal(health.status, 200)
  assert.deepEqual(JSON.parse(health.body), { status: 'ok', tier: 'nginx' })
  const unknown = await get(`${stack.urls.nginx}/weather/qwertyuiopville`)
  assert.equal(unknown.status, 404)
  assert.equal((JSON.parse(unknown.body) as { code: string }).code, 'CS_ERR_CITY_NOT_FOUND')
})

test('internal endpoints: /metrics and /ready through nginx are 404 JSON; the metrics listener answers on its own port', async () => {
  for (const path of ['/metrics', '/ready', '/metrics/', '/ready?x=1']) {
    const answer = await get(`${stack.urls.nginx}${path}`)
    assert.equal(answer.status, 404, `${path} through nginx`)
    assert.equal((JSON.parse(answer.body) as { code: string }).code, 'CS_ERR_ROUTE_NOT_FOUND')
  }
  assert.equal((await get(`${stack.urls.app}/metrics`)).status, 404, 'not on the public app port either')
  const scrape = await get(stack.urls.metrics)
  assert.equal(scrape.status, 200)
  assert.match(scrape.body, /^cachestack_http_request_duration_seconds_count\{route="\/weather\/:city"/m, 'aggregated over the workers')
  assert.notEqual(new URL(stack.urls.metrics).port, new URL(stack.urls.app).port)
})

test('URI and header limits answer JSON errors from nginx, before the app', async () => {
  const long = await get(`${stack.urls.nginx}/weather/${'a'.repeat(9000)}`)
  assert.equal(long.status, 414)
  assert.equal((JSON.parse(long.body) as { code: string }).code, 'CS_ERR_REQUEST_INVALID')
  const header = await get(`${stack.urls.nginx}/weather/paris`, { 'x-big': 'b'.repeat(9000) })
  assert.equal(header.status, 400)
  assert.equal(header.headers['content-type'], 'application/json')
  assert.equal((JSON.parse(header.body) as { code: string }).code, 'CS_ERR_REQUEST_INVALID')
})

test('flushRedis empties L2', async () => {
  await get(`${stack.urls.nginx}/weather/london`)
  // The answer goes out before the fill's last writes land (the value, the lock's release): wait
  // for them, or one could land after the flush.
  await waitFor(async () => {
    const names = await keys(stack.urls.redis!)
    return names.some((name) => /^weather:v\d+:\d+$/.test(name)) && !names.some((name) => name.includes(':lock:'))
  }, 5000, 'the fill to finish writing L2')
  await stack.flushRedis()
  assert.equal(await dbsize(stack.urls.redis!), 0)
})

test('restartApp swaps the cluster only: new primary, same nginx/origin/redis, new strategy', async () => {
  const before = stack.pids
  await stack.restartApp({ strategy: 'memory', workers: 1 })
  const now = stack.pids
  assert.notEqual(now.app, before.app)
  assert.ok(!isAlive(before.app), 'the old primary is gone')
  assert.equal(now.nginx, before.nginx)
  assert.equal(now.origin, before.origin)
  assert.equal(now.redis, before.redis)
  const answer = await get(`${stack.urls.nginx}/weather/paris`)
  assert.equal(answer.status, 200)
  assert.equal(answer.headers['x-cache'], 'MISS', 'a fresh memory-only cluster starts cold')
  await get(`${stack.urls.nginx}/weather/rome`)
  assert.equal(await dbsize(stack.urls.redis!), 0, 'the memory strategy never writes L2')
})

test('stop() leaves no process behind and removes its work dir', async () => {
  const pids = stack.pids
  const everyone = [
    ...groupMembers(pids.nginx), // master, worker
    ...groupMembers(pids.app), // primary, workers
    ...groupMembers(pids.origin),
    pids.redis!
  ]
  assert.ok(everyone.length >= 5, `found ${everyone.length} processes`)
  assert.ok(everyone.every(isAlive))
  await stack.stop()
  const alive = everyone.filter(isAlive)
  assert.deepEqual(alive, [], 'every pid is gone')
  assert.equal(existsSync(stack.workDir), false)
  await assert.rejects(get(`${stack.urls.nginx}/health`))
})
