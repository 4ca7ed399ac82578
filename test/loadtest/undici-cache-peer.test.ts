// peer-undici-cache's two opt-ins: the provider's Cache-Control (ORIGIN_MAX_AGE_SECONDS,
// ORIGIN_STALE_SECONDS) and undici's RFC 9111 cache on the origin client (ORIGIN_HTTP_CACHE).
// Off by default: no header, every fetch a provider call.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { loadConfig } from '../../src/config.js'
import { PooledOriginClient } from '../../src/origin/client.js'
import { buildOriginServer, type OriginStats } from '../../src/origin/server.js'
import { silentLogger } from '../helpers/fixtures.js'

const CITY = { id: 1, name: 'Paris', country: 'FR', population: 2_000_000, lat: 48.85, lon: 2.35, key: '1' }

async function provider (maxAgeSeconds?: number, staleSeconds?: number): Promise<{ url: string, served: () => Promise<number>, close: () => Promise<void> }> {
  const app = buildOriginServer({
    cities: [CITY],
    logger: silentLogger(),
    latencyMs: 0,
    jitterMs: 0,
    errorRate: 0,
    bucketSeconds: 600,
    collectDefaultMetrics: false,
    maxAgeSeconds,
    ...(staleSeconds === undefined ? {} : { staleSeconds })
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    url,
    served: async () => ((await (await fetch(`${url}/stats`)).json()) as OriginStats).requests,
    close: () => app.close()
  }
}

test('config: the opt-ins are off by default and validated', () => {
  const c = loadConfig({})
  assert.equal(c.origin.httpCache, 'off')
  assert.equal(c.origin.simulated.maxAgeSeconds, undefined)
  assert.equal(c.origin.simulated.staleSeconds, 0)
  const on = loadConfig({ ORIGIN_HTTP_CACHE: 'memory', ORIGIN_MAX_AGE_SECONDS: '3', ORIGIN_STALE_SECONDS: '600' })
  assert.equal(on.origin.httpCache, 'memory')
  assert.equal(on.origin.simulated.maxAgeSeconds, 3)
  assert.equal(on.origin.simulated.staleSeconds, 600)
  assert.throws(() => loadConfig({ ORIGIN_HTTP_CACHE: 'disk' }), /ORIGIN_HTTP_CACHE/)
})

test('the provider sends Cache-Control only when asked, with RFC 5861\'s windows', async () => {
  for (const [maxAge, stale, expected] of [[undefined, undefined, null], [3, undefined, 'public, max-age=3'],
    [3, 600, 'public, max-age=3, stale-while-revalidate=600, stale-if-error=600']] as const) {
    const p = await provider(maxAge, stale)
    try {
      const response = await fetch(`${p.url}/v1/weather/1`)
      await response.arrayBuffer()
      assert.equal(response.headers.get('cache-control'), expected)
    } finally {
      await p.close()
    }
  }
})

test('undici\'s cache on the origin client answers repeats from memory; without it every fetch reaches the provider', async () => {
  const p = await provider(60, 600)
  const plain = new PooledOriginClient({ url: p.url, timeoutMs: 2000, connections: 2 })
  const cached = new PooledOriginClient({ url: p.url, timeoutMs: 2000, connections: 2, httpCache: { maxCount: 100, maxSize: 1 << 20, maxEntrySize: 1 << 16 } })
  try {
    for (let i = 0; i < 3; i++) assert.equal((await plain.fetchWeather(1)).cityId, 1)
    const before = await p.served()
    for (let i = 0; i < 3; i++) assert.equal((await cached.fetchWeather(1)).cityId, 1)
    assert.equal(before, 3)
    assert.equal(await p.served() - before, 1, 'one provider call for three fetches')
  } finally {
    await plain.close()
    await cached.close()
    await p.close()
  }
})
