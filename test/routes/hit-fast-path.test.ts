// The hit fast path over real HTTP: an L1 hit is answered before Fastify's router with the very
// answer Fastify's route gives (inject() always goes through Fastify, so it is the reference);
// everything that is not a sure hit reaches Fastify untouched.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { createHitFastPath, skippedByFastPath } from '../../src/routes/hit-fast-path.js'
import { answerHeads } from '../../src/routes/weather.js'
import { DEFAULT_SHARED_MAX_AGE_SECONDS } from '../../src/config.js'
import { createCache } from '../../src/cache/create-cache.js'
import { coarseClock } from '../../src/cache/clock.js'
import { createEntry } from '../../src/cache/entry.js'
import { testConfig, cityIndex, silentLogger } from '../helpers/fixtures.js'
import { serviceBed } from '../helpers/service.js'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { createService } from '../../src/service.js'

const bed = serviceBed({ originLatencyMs: 1, env: () => ({ CACHE_STRATEGY: 'memory', CACHE_TTL_JITTER: '0' }) })

/** A listening service whose Fastify side counts the requests it sees (fast-path hits never reach it). */
async function listening (env: Record<string, string> = {}): Promise<{
  url: string
  inject: (path: string, headers?: Record<string, string>, method?: 'GET' | 'HEAD') => Promise<Wire>
  fastifyRequests: () => number
}> {
  const { app } = await bed.service(env)
  let seen = 0
  app.addHook('onRequest', skippedByFastPath((_request: unknown, _reply: unknown, done: () => void) => { seen++; done() }))
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    url,
    fastifyRequests: () => seen,
    inject: async (path, headers = {}, method = 'GET') => {
      const res = await app.inject({ method, url: path, headers })
      return comparable(res.statusCode, res.headers as Record<string, unknown>, res.body)
    }
  }
}

interface Wire { status: number, headers: Record<string, string>, body: string }

function comparable (status: number, headers: Record<string, unknown>, body: string): Wire {
  const kept: Record<string, string> = {}
  // The date is the clock's, keep-alive and connection the transport's: none is the answer's.
  for (const [name, value] of Object.entries(headers)) if (!['date', 'keep-alive', 'connection', 'transfer-encoding'].includes(name)) kept[name] = String(value)
  return { status, headers: kept, body }
}

async function wire (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET'): Promise<Wire> {
  const res = await request(url, { method, headers })
  return comparable(res.statusCode, res.headers, await res.body.text())
}

test('an L1 hit is answered before Fastify, with the answer Fastify\'s route gives: 200, HEAD, 304, every spelling', async () => {
  const service = await listening()
  assert.equal((await wire(`${service.url}/weather/New%20York`)).headers['x-cache'], 'MISS')
  const throughFastify = service.fastifyRequests()
  assert.equal(throughFastify, 1, 'the miss went through Fastify')

  for (const path of ['/weather/New%20York', '/weather/new%20york', '/weather/%20NEW%20%20YORK%20', '/weather/New%20York%20City']) {
    const fast = await wire(service.url + path)
    assert.equal(fast.status, 200)
    assert.equal(fast.headers['x-cache'], 'HIT-L1')
    assert.deepEqual(fast, await service.inject(path), `${path}: the fast path and Fastify's route agree`)
    const head = await wire(service.url + path, {}, 'HEAD')
    assert.equal(head.body, '')
    assert.deepEqual(head, await service.inject(path, {}, 'HEAD'), `${path}: HEAD`)
    const conditional = { 'if-none-match': fast.headers.etag! }
    const notModified = await wire(service.url + path, conditional)
    assert.equal(notModified.status, 304)
    assert.deepEqual(notModified, await service.inject(path, conditional), `${path}: 304`)
  }
  // 4 spellings × (GET, HEAD, 304) over the socket: none reached Fastify; the injects all did.
  assert.equal(service.fastifyRequests(), throughFastify + 4 * 3)
})

test('what is not a sure hit goes to Fastify untouched: a miss, ?country, bad input, other routes and methods', async () => {
  const service = await listening()
  await wire(`${service.url}/weather/paris`) // now an L1 hit without ?country
  const cases: Array<[string, number, string?]> = [
    ['/weather/paris?country=US', 200, 'MISS'], // Paris, Texas: the query needs Fastify's parsing
    ['/weather/paris?country=FR', 200, 'HIT-L1'],
    ['/weather/%00paris', 400], // a control character
    ['/weather/nowhere-at-all', 404],
    ['/weather/paris/', 404], // another route
    ['/weather/', 400], // an empty name
    ['/WEATHER/paris', 404]
  ]
  for (const [path, status, source] of cases) {
    const before = service.fastifyRequests()
    const answer = await wire(service.url + path)
    assert.equal(answer.status, status, path)
    if (source !== undefined) assert.equal(answer.headers['x-cache'], source, path)
    if (status >= 400) assert.match(JSON.parse(answer.body).code, /^CS_ERR_/, path)
    assert.equal(service.fastifyRequests(), before + 1, `${path} went through Fastify`)
  }
  // A malformed escape: Fastify's router refuses it before any hook runs (frameworkErrors).
  const malformed = await wire(`${service.url}/weather/%E0%A4%A`)
  assert.deepEqual([malformed.status, JSON.parse(malformed.body).code], [400, 'CS_ERR_REQUEST_INVALID'])
  const before = service.fastifyRequests()
  const purge = await request(`${service.url}/weather/paris`, { method: 'DELETE' })
  await purge.body.text()
  assert.equal(purge.statusCode, 401)
  assert.equal(service.fastifyRequests(), before + 1, 'DELETE went through Fastify')
})

test('the fast path is off with request logging (every request is logged) and in the naive serialize rung', async () => {
  for (const env of [{ LOG_REQUESTS: 'true' }, { NAIVE: 'serialize' }] as Array<Record<string, string>>) {
    const service = await listening(env)
    await wire(`${service.url}/weather/tokyo`)
    const hit = await wire(`${service.url}/weather/tokyo`)
    assert.equal(hit.headers['x-cache'], 'HIT-L1')
    assert.equal(service.fastifyRequests(), 2, JSON.stringify(env))
  }
})

test('/baseline/:city, when exposed, is answered by the fast path like the route answers it', async () => {
  const service = await listening({ EXPOSE_BASELINE: 'true' })
  const fast = await wire(`${service.url}/baseline/anything`)
  assert.equal(fast.status, 200)
  assert.deepEqual(fast, await service.inject('/baseline/anything'))
  assert.equal(service.fastifyRequests(), 1, 'only the inject reached Fastify')
  const hidden = await listening({})
  assert.equal((await wire(`${hidden.url}/baseline/anything`)).status, 404)
})

test('a closing app: the fast path steps aside (Fastify answers 503 from then on) and touches nothing', async () => {
  const config = testConfig({ CACHE_STRATEGY: 'memory' })
  const cache = createCache('memory', { config, clock: { now: coarseClock(() => performance.now()) }, logger: silentLogger() })
  const london = cityIndex().resolve('london')!
  await cache.get(london.key, async () => createEntry('{"city":"London"}', Date.now()))
  let closing = false
  const recorded: Array<[string, number]> = []
  const fastPath = createHitFastPath({
    cities: cityIndex(),
    cache,
    load: async () => createEntry('{"city":"London"}', Date.now()),
    headOf: answerHeads(Date.now, 0, DEFAULT_SHARED_MAX_AGE_SECONDS),
    recordWeather: (method, status) => { recorded.push([method, status]) },
    recordBaseline: undefined,
    closing: () => closing
  })
  const server = createServer((req, res) => { if (!fastPath(req, res)) res.writeHead(503).end('fallback') })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/weather/london`
  try {
    const open = await wire(url)
    assert.equal(open.status, 200)
    assert.equal(open.body, '{"city":"London"}')
    assert.deepEqual(recorded, [['GET', 200]])
    closing = true
    const closed = await wire(url)
    assert.deepEqual([closed.status, closed.body], [503, 'fallback'])
    assert.deepEqual(recorded, [['GET', 200]], 'nothing recorded for what the fast path did not answer')
  } finally {
    server.close()
    await cache.close?.()
  }
})

/** A listening service whose log lines are kept, with a hook added before it is ready. */
async function withHook (addHooks: (app: import('fastify').FastifyInstance) => void): Promise<{ url: string, logs: Array<{ msg: string, hooks?: string[] }> }> {
  const logs: Array<{ msg: string, hooks?: string[] }> = []
  const logger = pino({ level: 'warn' }, new Writable({ write (chunk, _encoding, done) { logs.push(JSON.parse(String(chunk))); done() } }))
  const service = bed.track(createService({
    config: testConfig({ ORIGIN_URL: bed.origin.url, CACHE_STRATEGY: 'memory', CACHE_TTL_JITTER: '0' }),
    logger,
    cities: cityIndex(),
    collectDefaultMetrics: false
  }))
  await service.ready()
  addHooks(service.app)
  return { url: await service.app.listen({ port: 0, host: '127.0.0.1' }), logs }
}

test('a hook the fast path would skip turns it off, and the start says so: the hook runs for every L1 hit', async () => {
  let checked = 0
  const { url, logs } = await withHook((app) => {
    // A check every request must pass (an allow list, a quota): an L1 hit answered before Fastify would skip it.
    app.addHook('onRequest', (_request, _reply, done) => { checked++; done() })
  })
  await wire(`${url}/weather/lima`)
  for (let i = 0; i < 3; i++) assert.equal((await wire(`${url}/weather/lima`)).headers['x-cache'], 'HIT-L1')
  assert.equal(checked, 4, 'the hook ran for the miss and for every hit')
  assert.deepEqual(logs.map((l) => [l.msg, l.hooks]), [['hit fast path off: these hooks must run for every request, L1 hits included', ['onRequest']]])
})

test('a hook added by a plugin counts too; one marked skippedByFastPath does not', async () => {
  const plugin = await withHook((app) => {
    void app.register(async (instance) => { instance.addHook('preHandler', async () => {}) })
  })
  await wire(`${plugin.url}/weather/oslo`)
  assert.deepEqual(plugin.logs.map((l) => l.hooks), [['preHandler']])
  let counted = 0
  const marked = await withHook((app) => {
    app.addHook('onResponse', skippedByFastPath((_request: unknown, _reply: unknown, done: () => void) => { counted++; done() }))
  })
  await wire(`${marked.url}/weather/oslo`)
  assert.equal((await wire(`${marked.url}/weather/oslo`)).headers['x-cache'], 'HIT-L1')
  assert.equal(counted, 1, 'the hit was answered by the fast path: the marked hook saw the miss only')
  assert.deepEqual(marked.logs, [], 'nothing to say: the fast path is on')
})
