// Per-client limit_req: past rate + burst, 429 with the JSON error body.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { startStack, type Stack } from '../../stack/stack.js'
import { get } from '../helpers/stack-http.js'

let stack: Stack
before(async () => {
  stack = await startStack({ strategy: 'memory', redis: false, workers: 1, rateLimit: { ratePerSecond: 1, burst: 2 } })
})
after(async () => { await stack?.stop() })

test('past its budget a client gets 429 JSON with CS_ERR_RATE_LIMITED and Retry-After', async () => {
  const answers = []
  for (let i = 0; i < 8; i++) answers.push(await get(`${stack.urls.nginx}/weather/paris`))
  const statuses = answers.map((a) => a.status)
  assert.deepEqual(statuses.slice(0, 3), [200, 200, 200], 'one at the rate plus a burst of two')
  const limited = answers.filter((a) => a.status === 429)
  assert.ok(limited.length >= 4, `statuses: ${statuses.join(',')}`)
  const body = JSON.parse(limited[0]!.body) as { statusCode: number, code: string, error: string }
  assert.deepEqual(
    { statusCode: body.statusCode, code: body.code, error: body.error },
    { statusCode: 429, code: 'CS_ERR_RATE_LIMITED', error: 'Too Many Requests' }
  )
  assert.equal(limited[0]!.headers['content-type'], 'application/json')
  assert.equal(limited[0]!.headers['retry-after'], '1')
  assert.match(limited[0]!.headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/)
})

test('/health is not rate limited', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await get(`${stack.urls.nginx}/health`)).status, 200)
})
