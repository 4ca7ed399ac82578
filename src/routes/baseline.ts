// GET /baseline/:city — the limit every strategy is measured against: the same path through
// nginx and the cluster, the same parameter, a constant body of a weather report's size sent
// the way a cached answer is (stored bytes, one precomputed header array), no lookup and no
// cache. Off unless EXPOSE_BASELINE=true.
import type { ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { JSON_TYPE } from './answer.js'

// About the size of a /weather answer (~390 bytes), so bytes on the wire match.
export const BASELINE_BODY = JSON.stringify({
  city: { id: 0, name: 'Baseline', country: 'ZZ', population: 1000000, lat: 0, lon: 0 },
  weather: {
    temperatureC: 20,
    feelsLikeC: 20,
    humidityPct: 50,
    pressureHpa: 1013,
    windKph: 10,
    windDirectionDeg: 180,
    conditions: 'clear',
    observedAt: '2026-01-01T00:00:00.000Z'
  },
  provider: 'cachestack-baseline-constant-response-padding'
})

const BASELINE_HEADERS = Object.freeze(['content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(BASELINE_BODY))])

/** The constant answer on Node's response: the route's (hijacked reply) and the hit fast path's. */
export function writeBaseline (raw: ServerResponse): void {
  raw.writeHead(200, BASELINE_HEADERS as string[])
  raw.end(BASELINE_BODY)
}

export function registerBaselineRoute (app: FastifyInstance): void {
  app.get('/baseline/:city', (_request: FastifyRequest, reply: FastifyReply) => {
    writeBaseline(reply.hijack().raw)
  })
}
