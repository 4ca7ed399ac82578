import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createEntry } from '../../src/cache/entry.js'
import { PerRequestReportEntry, PerRequestReportLoader } from '../../src/naive/per-request-report.js'
import { PooledOriginClient } from '../../src/origin/client.js'
import { buildReport, WeatherLoader } from '../../src/weather/weather-loader.js'
import { cityIndex } from '../helpers/fixtures.js'
import { startOrigin, type TestOrigin } from '../helpers/origin.js'

let origin: TestOrigin
let client: PooledOriginClient
before(async () => {
  origin = await startOrigin({ latencyMs: 1 })
  client = new PooledOriginClient({ url: origin.url, timeoutMs: 2000, connections: 4 })
})
after(async () => {
  await client.close()
  await origin.close()
})

test('the per-request entry reads as the same bytes and ETag as the serialized-once entry', async () => {
  const city = cityIndex().resolve('london')!
  const weather = await client.fetchWeather(city.id)
  const once = createEntry(JSON.stringify(buildReport(city, weather)), 1234)
  const naive = new PerRequestReportEntry(city, weather, 1234)
  assert.deepEqual(naive.body, once.body)
  assert.equal(naive.etag, once.etag)
  assert.equal(naive.storedAt, once.storedAt)
})

test('nothing is stored serialized: every read of the body stringifies the report again', async () => {
  const city = cityIndex().resolve('paris')!
  const naive = new PerRequestReportEntry(city, await client.fetchWeather(city.id), 0)
  assert.ok(!Object.values(naive).some((value) => typeof value === 'string' && value.startsWith('{')), 'no serialized body among its fields')
  const stringify = JSON.stringify
  let calls = 0
  JSON.stringify = ((...args: Parameters<typeof stringify>) => { calls++; return stringify(...args) }) as typeof stringify
  try {
    assert.equal(naive.body, naive.body)
  } finally {
    JSON.stringify = stringify
  }
  assert.equal(calls, 2)
})

test('the loaders: same report JSON, same origin metrics, one origin call each', async () => {
  const outcomes: string[] = []
  const options = { origin: client, clock: performance, wallClock: () => 42, onOriginRequest: (outcome: string) => { outcomes.push(outcome) } }
  const real = new WeatherLoader(options)
  const naive = new PerRequestReportLoader(options)
  const before = (await origin.stats()).requests
  for (const name of ['tokyo', 'new york', 'são paulo']) {
    const city = cityIndex().resolve(name)!
    const [a, b] = await Promise.all([real.load(city), naive.load(city)])
    assert.ok(b instanceof PerRequestReportEntry)
    assert.equal(b.body.toString(), a.body.toString(), name)
    assert.equal(b.etag, a.etag)
    assert.equal(b.storedAt, 42)
  }
  assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'])
  assert.equal((await origin.stats()).requests, before + 6)
})

test('an origin failure reaches the caller and the metrics as it does with WeatherLoader', async () => {
  const outcomes: string[] = []
  const naive = new PerRequestReportLoader({
    origin: { fetchWeather: () => Promise.reject(new Error('down')), close: async () => {} },
    clock: performance,
    wallClock: Date.now,
    onOriginRequest: (outcome) => { outcomes.push(outcome) }
  })
  await assert.rejects(naive.load(cityIndex().resolve('london')!), /down/)
  assert.deepEqual(outcomes, ['error'])
})
