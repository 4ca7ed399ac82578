import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { NewConnectionOriginClient } from '../../src/naive/new-connection-origin-client.js'
import { PooledOriginClient, type OriginClient } from '../../src/origin/client.js'
import { freePort } from '../../stack/free-port.js'
import { cityIndex } from '../helpers/fixtures.js'
import { startOrigin, type TestOrigin } from '../helpers/origin.js'

let origin: TestOrigin
let slow: TestOrigin
let failing: TestOrigin
let connections = 0
before(async () => {
  origin = await startOrigin({ latencyMs: 1 })
  slow = await startOrigin({ latencyMs: 1000 })
  failing = await startOrigin({ latencyMs: 1, errorRate: 1 })
  origin.app.server.on('connection', () => { connections++ })
})
after(async () => {
  await origin.close()
  await slow.close()
  await failing.close()
})

async function connectionsFor (client: OriginClient, requests: number): Promise<number> {
  const before = connections
  const id = cityIndex().resolve('london')!.id
  for (let i = 0; i < requests; i++) await client.fetchWeather(id)
  await client.close()
  return connections - before
}

test('the same weather as the pooled client from a real provider', async () => {
  const naive = new NewConnectionOriginClient({ url: origin.url, timeoutMs: 2000 })
  const pooled = new PooledOriginClient({ url: origin.url, timeoutMs: 2000, connections: 2 })
  try {
    for (const name of ['london', 'paris', 'tokyo', 'lagos']) {
      const id = cityIndex().resolve(name)!.id
      assert.deepEqual(await naive.fetchWeather(id), await pooled.fetchWeather(id), name)
    }
  } finally {
    await naive.close()
    await pooled.close()
  }
})

test('a new TCP connection per request, closed after it; the pool keeps one', async () => {
  assert.equal(await connectionsFor(new NewConnectionOriginClient({ url: origin.url, timeoutMs: 2000 }), 10), 10)
  // One, or two when the next request is sent before the pool has seen the first socket free.
  assert.ok(await connectionsFor(new PooledOriginClient({ url: origin.url, timeoutMs: 2000, connections: 4 }), 10) <= 2)
  // Closed by the client once the answer is read: none is left open on the provider.
  const deadline = Date.now() + 2000
  let open = -1
  while (Date.now() < deadline) {
    open = await new Promise<number>((resolve, reject) => origin.app.server.getConnections((err, count) => err ? reject(err) : resolve(count)))
    if (open === 0) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.equal(open, 0)
})

test('the same errors as the pooled client: timeout, HTTP 503, unknown id, nobody listening', async () => {
  const closedPort = await freePort()
  const london = cityIndex().resolve('london')!.id
  const cases: Array<[url: string, id: number, code: string | undefined]> = [
    [slow.url, london, 'CS_ERR_ORIGIN_TIMEOUT'],
    [failing.url, london, 'CS_ERR_ORIGIN_UNAVAILABLE'],
    // Whatever the pooled client makes of the provider's 404, the naive one makes the same.
    [origin.url, 999_999_999, undefined],
    [`http://127.0.0.1:${closedPort}`, 1, 'CS_ERR_ORIGIN_UNAVAILABLE']
  ]
  for (const [url, id, code] of cases) {
    const naive = new NewConnectionOriginClient({ url, timeoutMs: 150 })
    const pooled = new PooledOriginClient({ url, timeoutMs: 150, connections: 1 })
    try {
      const [a, b] = await Promise.all([naive, pooled].map((client) => client.fetchWeather(id).then(
        () => undefined,
        (err: unknown) => err as Error & { code: string, statusCode: number }
      )))
      assert.ok(a !== undefined && b !== undefined, `${url} ${id}: both fail`)
      if (code !== undefined) assert.equal(a.code, code, `${url} ${id}`)
      assert.equal(a.code, b.code, `${url} ${id}`)
      assert.equal(a.statusCode, b.statusCode)
      assert.equal(a.message, b.message)
    } finally {
      await naive.close()
      await pooled.close()
    }
  }
})

test('rejects a timeout that is not positive', () => {
  assert.throws(() => new NewConnectionOriginClient({ url: origin.url, timeoutMs: 0 }), /timeoutMs > 0/)
})
