// The two answer writers over real HTTP: stored bytes written straight to Node's response (the
// default) and the naive Fastify reply path (NAIVE=serialize) put the same status, headers and
// body on the wire, for a 200, a HEAD and a 304; only the default skips Fastify's send pipeline.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { serviceBed } from '../helpers/service.js'
import { skippedByFastPath } from '../../src/routes/hit-fast-path.js'

const bed = serviceBed({ originLatencyMs: 1, env: () => ({ CACHE_STRATEGY: 'memory', CACHE_TTL_JITTER: '0' }) })

async function listening (env: Record<string, string>): Promise<{ url: string, onSendCalls: () => number, metricsText: () => Promise<string> }> {
  const { app, metrics } = await bed.service(env)
  let onSend = 0
  // A counter of what reaches Fastify: it accepts being skipped for the fast path's hits.
  app.addHook('onSend', skippedByFastPath(async (_request: unknown, _reply: unknown, payload: unknown) => { onSend++; return payload }))
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, onSendCalls: () => onSend, metricsText: () => metrics.registry.metrics() }
}

interface Wire { status: number, headers: Record<string, string>, body: string, maxAge?: number }

/** Equal answers: everything but max-age exactly, max-age within the second the two fills straddle. */
function assertSameAnswer (a: Wire, b: Wire, message: string): void {
  assert.deepEqual({ ...a, maxAge: undefined }, { ...b, maxAge: undefined }, message)
  assert.ok(Math.abs((a.maxAge ?? 0) - (b.maxAge ?? 0)) <= 1, `${message}: max-age ${a.maxAge} against ${b.maxAge}`)
}

async function wire (url: string, method: 'GET' | 'HEAD' = 'GET', headers: Record<string, string> = {}): Promise<Wire> {
  const res = await request(url, { method, headers })
  const body = await res.body.text()
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(res.headers)) {
    // The date is the clock's, keep-alive is the connection's: neither is the answer's.
    if (name !== 'date' && name !== 'keep-alive' && name !== 'connection') kept[name] = String(value)
  }
  // max-age counts down in whole seconds from each service's own fill, a few ms apart.
  if (kept['cache-control'] !== undefined) {
    const maxAge = Number(/max-age=(\d+)/.exec(kept['cache-control'])![1])
    kept['cache-control'] = kept['cache-control'].replace(/max-age=\d+/, 'max-age=N')
    return { status: res.statusCode, headers: kept, body, maxAge }
  }
  return { status: res.statusCode, headers: kept, body }
}

test('stored bytes and the naive framework path send the same answers: 200, HEAD, 304', async () => {
  const stored = await listening({})
  const framework = await listening({ NAIVE: 'serialize' })
  for (const city of ['london', 'tokyo']) {
    const path = `/weather/${city}`
    // MISS first (Server-Timing carries the origin's duration, so only the hits are compared whole).
    const [missA, missB] = [await wire(stored.url + path), await wire(framework.url + path)]
    assert.equal(missA.body, missB.body)
    assert.equal(missA.headers.etag, missB.headers.etag)

    const [a, b] = [await wire(stored.url + path), await wire(framework.url + path)]
    assert.equal(a.status, 200)
    assert.equal(a.headers['x-cache'], 'HIT-L1')
    assertSameAnswer(a, b, `${path}: a hit`)
    assert.equal(a.headers['content-length'], String(Buffer.byteLength(a.body)))

    const [headA, headB] = [await wire(stored.url + path, 'HEAD'), await wire(framework.url + path, 'HEAD')]
    assert.equal(headA.body, '')
    assert.equal(headA.headers['content-length'], a.headers['content-length'])
    assertSameAnswer(headA, headB, `${path}: HEAD`)

    const conditional = { 'if-none-match': a.headers.etag! }
    const [notModifiedA, notModifiedB] = [await wire(stored.url + path, 'GET', conditional), await wire(framework.url + path, 'GET', conditional)]
    assert.equal(notModifiedA.status, 304)
    assert.equal(notModifiedA.body, '')
    assert.equal(notModifiedA.headers.etag, a.headers.etag)
    assert.equal(notModifiedA.headers['cache-control'], a.headers['cache-control'])
    assert.equal(notModifiedA.headers['x-cache'], 'HIT-L1')
    assert.equal(notModifiedA.headers['content-type'], undefined)
    assertSameAnswer(notModifiedA, notModifiedB, `${path}: 304`)
  }
  // 4 answers per city: what went through Fastify's send (and its onSend hooks) and what did not.
  assert.equal(stored.onSendCalls(), 0)
  assert.equal(framework.onSendCalls(), 8)
})

test('every answer reaches the request metrics: written past Fastify, errors, HEAD, unmatched, malformed', async () => {
  const { url, metricsText } = await listening({})
  await wire(url + '/weather/paris')
  await wire(url + '/weather/paris')
  await wire(url + '/weather/paris', 'HEAD')
  await wire(url + '/weather/paris', 'GET', { 'if-none-match': '*' })
  assert.equal((await wire(url + '/weather/nowhere-at-all')).status, 404)
  assert.equal((await wire(url + '/no/such/route')).status, 404)
  assert.equal((await wire(url + '/weather/%E0%A4%A')).status, 400)
  const metrics = await metricsText()
  const count = (labels: string): number => Number(new RegExp(`^cachestack_http_request_duration_seconds_count\\{${labels.replace(/[/]/g, '\\/')}\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0)
  assert.equal(count('route="/weather/:city",method="GET",status_code="200"'), 2)
  assert.equal(count('route="/weather/:city",method="HEAD",status_code="200"'), 1)
  assert.equal(count('route="/weather/:city",method="GET",status_code="304"'), 1)
  assert.equal(count('route="/weather/:city",method="GET",status_code="404"'), 1)
  assert.equal(count('route="unmatched",method="GET",status_code="404"'), 1)
  assert.equal(count('route="unmatched",method="GET",status_code="400"'), 1)
})
