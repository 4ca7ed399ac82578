// The load test's provider proxy: forwards and stamps weather answers, fails them while an
// outage is on, counts every call by time, and leaves everything else alone.
import { strict as assert } from 'node:assert'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import { performance } from 'node:perf_hooks'
import { test } from 'node:test'
import { readStamp, startProviderProxy } from '../../loadtest/bed/provider-proxy.js'

async function fakeProvider (): Promise<{ server: Server, url: string, calls: () => number }> {
  let calls = 0
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/weather/') === true) calls++
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3' })
    res.end(req.url === '/stats' ? '{"requests":1}' : JSON.stringify({ cityId: 7, bucketSeconds: 600, observation: { temperatureC: 7 } }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, calls: () => calls }
}

test('provider proxy: stamps, outage, revision, call counts; other paths untouched', async () => {
  const provider = await fakeProvider()
  const proxy = await startProviderProxy({ target: provider.url })
  try {
    const began = performance.now()
    const first = await fetch(`${proxy.url}/v1/weather/7`)
    const body = await first.text()
    assert.equal(first.status, 200)
    assert.equal(first.headers.get('cache-control'), 'public, max-age=3', 'the provider\'s headers pass')
    assert.equal(Number(first.headers.get('content-length')), Buffer.byteLength(body))
    const stamp = readStamp(body)
    assert.ok(stamp !== undefined && Math.abs(stamp.fetchedAtMs - Date.now()) < 5000 && stamp.revision === 0, body)
    assert.deepEqual(JSON.parse(body).observation.temperatureC, 7)

    proxy.setRevision(4)
    assert.equal(readStamp(await (await fetch(`${proxy.url}/v1/weather/7`)).text())?.revision, 4)

    proxy.setOutage(true)
    const down = await fetch(`${proxy.url}/v1/weather/7`)
    assert.equal(down.status, 503)
    assert.match(await down.text(), /LOADTEST_PROVIDER_OUTAGE/)
    const stats = await fetch(`${proxy.url}/stats`)
    assert.equal(stats.status, 200, 'only weather calls fail')
    assert.equal(await stats.text(), '{"requests":1}', 'and only they are stamped')
    proxy.setOutage(false)
    assert.equal((await fetch(`${proxy.url}/v1/weather/7`)).status, 200)

    assert.equal(provider.calls(), 3, 'the failed call never reached the provider')
    assert.equal(proxy.callsBetween(began, performance.now() + 1), 4, 'the proxy counts it')
    assert.equal(proxy.callsBetween(performance.now() + 1, Infinity), 0)
    assert.throws(() => proxy.setRevision(-1), /non-negative integer/)
  } finally {
    await proxy.close()
    provider.server.close()
  }
  await assert.rejects(startProviderProxy({ target: 'http://example.com:80' }), /127\.0\.0\.1/)
})
