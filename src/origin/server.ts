// The simulated weather provider: slow and costly by design, like a paid upstream API.
// It counts every weather request it serves, so tests and load tests can prove what the caches saved.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { City } from '../cities/city.js'
import type { OriginSimulationConfig } from '../config.js'
import { createProviderMetrics } from './provider-metrics.js'
import { observe } from './weather-model.js'

/** id → city, without a city object per id held in advance (CompactCityIndex). */
export interface CitiesById {
  byId (id: number): City | undefined
}

export interface OriginServerOptions extends Omit<OriginSimulationConfig, 'port'> {
  /** The cities the provider knows: a list (tests, benchmarks) or an id lookup (the compact index). */
  cities: readonly City[] | CitiesById
  logger: Logger
  /** Random source for latency and errors; injectable for tests. @default Math.random */
  random?: () => number
  /** Wall clock for time buckets. @default Date.now */
  now?: () => number
  /** Node's default process metrics (CPU, memory, event loop) next to the provider's own. Off in
   * tests that build many servers in one process. @default true */
  collectDefaultMetrics?: boolean
}

export interface OriginStats {
  /** Weather requests served, errors included. */
  requests: number
  errors: number
  notFound: number
  inFlight: number
  startedAt: string
}

/** The provider's wire format for one observation. */
export interface OriginWeather {
  cityId: number
  bucketSeconds: number
  observation: ReturnType<typeof observe>
}

export function buildOriginServer (options: OriginServerOptions): FastifyInstance {
  const { cities, logger, latencyMs, jitterMs, errorRate, bucketSeconds, random = Math.random, now = Date.now } = options
  let byId: CitiesById
  if (Array.isArray(cities)) {
    const map = new Map<number, City>()
    for (const city of cities as readonly City[]) map.set(city.id, city)
    byId = { byId: (id) => map.get(id) }
  } else {
    byId = cities as CitiesById
  }
  const stats: OriginStats = { requests: 0, errors: 0, notFound: 0, inFlight: 0, startedAt: new Date(now()).toISOString() }
  const bucketMs = bucketSeconds * 1000
  // Opt-in (ORIGIN_MAX_AGE_SECONDS), built once: RFC 9111 §5.2.2.1 freshness, RFC 5861 stale windows.
  const stale = options.staleSeconds ?? 0
  const cacheControl = options.maxAgeSeconds === undefined
    ? undefined
    : `public, max-age=${options.maxAgeSeconds}` + (stale > 0 ? `, stale-while-revalidate=${stale}, stale-if-error=${stale}` : '')
  const metrics = createProviderMetrics(options.collectDefaultMetrics ?? true)

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    keepAliveTimeout: 72_000
  })

  app.get<{ Params: { id: string } }>('/v1/weather/:id', async (request, reply) => {
    stats.requests++
    stats.inFlight++
    metrics.inFlight.inc()
    const started = performance.now()
    let outcome: 'ok' | 'error' | 'not_found' = 'ok'
    try {
      const delay = Math.max(0, latencyMs + (random() * 2 - 1) * jitterMs)
      if (delay > 0) await new Promise(resolve => setTimeout(resolve, delay))
      const city = /^\d{1,10}$/.test(request.params.id) ? byId.byId(Number(request.params.id)) : undefined
      if (city === undefined) {
        outcome = 'not_found'
        stats.notFound++
        return reply.code(404).send({ code: 'ORIGIN_CITY_NOT_FOUND', message: 'unknown city id' })
      }
      if (errorRate > 0 && random() < errorRate) {
        outcome = 'error'
        stats.errors++
        return reply.code(503).send({ code: 'ORIGIN_UNAVAILABLE', message: 'simulated provider failure' })
      }
      const t = now()
      const body: OriginWeather = { cityId: city.id, bucketSeconds, observation: observe(city, t - (t % bucketMs)) }
      if (cacheControl !== undefined) reply.header('cache-control', cacheControl)
      return body
    } finally {
      stats.inFlight--
      metrics.inFlight.dec()
      metrics.requests.labels(outcome).inc()
      metrics.duration.labels(outcome).observe((performance.now() - started) / 1000)
    }
  })

  app.get('/stats', async () => stats)
  // The provider stands for a third party's API: its /metrics is what its operator would see,
  // and what Prometheus compares with the service's own cachestack_origin_requests_total.
  app.get('/metrics', async (_request, reply) => {
    return await reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  app.get('/health', async () => ({ status: 'ok' }))
  return app
}
