// Producing the response body: rebuild the report and JSON.stringify it per request (the naive
// rung), the same through a schema-compiled serializer (fast-json-stringify, what a Fastify
// response schema uses), and the stored string that an L1 hit sends (serialize once).
import build from 'fast-json-stringify'
import type { City } from '../src/cities/city.js'
import { createEntry } from '../src/cache/entry.js'
import { observe } from '../src/origin/weather-model.js'
import type { OriginWeather } from '../src/origin/server.js'
import { buildReport } from '../src/weather/weather-loader.js'
import { runSuite, Sink, type TaskResult } from './harness.js'

const BATCH = 200

/** The response schema of GET /weather/:city, as a Fastify route would declare it. */
export const REPORT_SCHEMA = {
  type: 'object',
  properties: {
    city: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        name: { type: 'string' },
        country: { type: 'string' },
        population: { type: 'integer' },
        lat: { type: 'number' },
        lon: { type: 'number' }
      }
    },
    weather: {
      type: 'object',
      properties: {
        temperatureC: { type: 'number' },
        feelsLikeC: { type: 'number' },
        humidityPct: { type: 'number' },
        pressureHpa: { type: 'number' },
        windKph: { type: 'number' },
        windDirectionDeg: { type: 'number' },
        conditions: { type: 'string' },
        observedAt: { type: 'string' }
      }
    },
    provider: { type: 'string' }
  }
} as const

export async function serializeBench (city: City): Promise<TaskResult[]> {
  const t = Date.now()
  const weather: OriginWeather = { cityId: city.id, bucketSeconds: 600, observation: observe(city, t - (t % 600_000)) }
  const stringify = build(REPORT_SCHEMA)
  const stored = createEntry(JSON.stringify(buildReport(city, weather)), t)
  // Guard the comparison: all three produce the same bytes.
  if (stringify(buildReport(city, weather)) !== stored.body) throw new Error('the schema serializer does not produce the same JSON; fix REPORT_SCHEMA')
  const sink = new Sink()
  return await runSuite('response serialization', [
    {
      name: 'JSON.stringify(buildReport()) per request',
      batch: BATCH,
      fn: () => { for (let k = 0; k < BATCH; k++) sink.take(JSON.stringify(buildReport(city, weather)).length) }
    },
    {
      name: 'fast-json-stringify(buildReport()) per request',
      batch: BATCH,
      fn: () => { for (let k = 0; k < BATCH; k++) sink.take(stringify(buildReport(city, weather)).length) }
    },
    { name: 'stored string (serialized once)', batch: BATCH, fn: () => { for (let k = 0; k < BATCH; k++) sink.take(stored.body.length) } }
  ])
}
