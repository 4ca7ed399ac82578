import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../../src/config.js'
import { createService, type Service } from '../../src/service.js'
import { cities, cityIndex, silentLogger, testConfig } from '../helpers/fixtures.js'
import { startOrigin, type TestOrigin } from '../helpers/origin.js'

let origin: TestOrigin
const services: Service[] = []
before(async () => { origin = await startOrigin({ latencyMs: 1 }) })
after(async () => {
  for (const service of services) await service.close()
  await origin.close()
})

function service (env: Record<string, string>): Service {
  const s = createService({
    config: testConfig({ ORIGIN_URL: origin.url, CACHE_STRATEGY: 'memory', ...env }),
    logger: silentLogger(),
    cities: cityIndex(),
    dataset: cities(),
    collectDefaultMetrics: false
  })
  services.push(s)
  return s
}

test('NAIVE: none by default; a list, all or none; anything else names the variable', () => {
  assert.deepEqual(loadConfig({}).naive, [])
  assert.deepEqual(loadConfig({ NAIVE: 'resolver, connection,resolver' }).naive, ['resolver', 'connection'])
  assert.deepEqual(loadConfig({ NAIVE: 'all' }).naive, ['resolver', 'serialize', 'connection'])
  assert.deepEqual(loadConfig({ NAIVE: 'none' }).naive, [])
  assert.ok(Object.isFrozen(loadConfig({ NAIVE: 'all' }).naive))
  assert.throws(() => loadConfig({ NAIVE: 'resolver,fast' }), (err: Error & { code: string }) => err.code === 'CS_ERR_CONFIG_INVALID' && /NAIVE="resolver,fast"/.test(err.message))
})

test('NAIVE=all answers exactly what the real service answers: bodies, ETags, statuses, cache layers', async () => {
  const real = service({}).app
  const naive = service({ NAIVE: 'all' })
  const urls = [
    '/weather/london',
    '/weather/Paris',
    '/weather/paris?country=US',
    '/weather/S%C3%A3o%20Paulo',
    '/weather/springfield?country=US',
    '/weather/nowhere-at-all',
    '/weather/london?country=ZZ'
  ]
  for (const round of ['MISS', 'HIT-L1']) {
    for (const url of urls) {
      const [a, b] = await Promise.all([real.inject(url), naive.app.inject(url)])
      assert.equal(b.statusCode, a.statusCode, url)
      assert.equal(b.body, a.body, url)
      if (a.statusCode === 200) {
        assert.equal(b.headers.etag, a.headers.etag, url)
        assert.equal(b.headers['x-cache'], round, url)
      }
    }
  }
})

test('a HIT-L1 stringifies the report again with NAIVE=serialize, and never without', async () => {
  const counts: number[] = []
  for (const env of [{}, { NAIVE: 'serialize' }] as Array<Record<string, string>>) {
    const { app } = service(env)
    await app.inject('/weather/berlin')
    const stringify = JSON.stringify
    let calls = 0
    JSON.stringify = ((...args: Parameters<typeof stringify>) => { calls++; return stringify(...args) }) as typeof stringify
    try {
      const hit = await app.inject('/weather/berlin')
      assert.equal(hit.headers['x-cache'], 'HIT-L1')
    } finally {
      JSON.stringify = stringify
    }
    counts.push(calls)
  }
  assert.deepEqual(counts.map((n) => n > 0), [false, true], `JSON.stringify calls per hit: ${counts.join(', ')}`)
})

test('If-None-Match still answers 304 from the per-request entry', async () => {
  const { app } = service({ NAIVE: 'serialize' })
  const first = await app.inject('/weather/tokyo')
  const second = await app.inject({ url: '/weather/tokyo', headers: { 'if-none-match': String(first.headers.etag) } })
  assert.equal(second.statusCode, 304)
})
