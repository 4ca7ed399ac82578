// The server side of bench/hit-path.ts, in a child process of its own: our service (one worker,
// memory strategy) and a bare Fastify route sending a constant string of the same size.
import Fastify from 'fastify'
import { pino } from 'pino'
import { openCompactCityIndex } from '../src/cities/compact-city-file.js'
import { loadConfig } from '../src/config.js'
import { buildOriginServer } from '../src/origin/server.js'
import { createService } from '../src/service.js'

const logger = pino({ level: 'warn' })
// The service's own city index (the compact file every worker reads), as in production.
const cities = openCompactCityIndex()
const origin = buildOriginServer({ cities, logger, latencyMs: 1, jitterMs: 0, errorRate: 0, bucketSeconds: 600, collectDefaultMetrics: false })
const originUrl = await origin.listen({ port: 0, host: '127.0.0.1' })
const service = createService({
  config: loadConfig({ ORIGIN_URL: originUrl, CACHE_STRATEGY: 'memory', EXPOSE_BASELINE: 'true', WORKERS: '1', LOG_LEVEL: 'warn' }),
  logger
})
const ours = await service.app.listen({ port: 0, host: '127.0.0.1' })
// The same service with L1_POLICY=lru (lru-cache, L1 before the policy study): the hit path with
// each store, side by side in one run (docs/caching-policies.md).
const lruService = createService({
  config: loadConfig({ ORIGIN_URL: originUrl, CACHE_STRATEGY: 'memory', EXPOSE_BASELINE: 'true', WORKERS: '1', LOG_LEVEL: 'warn', L1_POLICY: 'lru' }),
  logger
})
const oursLru = await lruService.app.listen({ port: 0, host: '127.0.0.1' })
await (await fetch(`${oursLru}/weather/london`)).text()
// Warm L1 with the benchmarked city, and take its exact bytes (and headers) for the bare routes.
const hit = await fetch(`${ours}/weather/london`)
const body = await hit.text()
const bare = Fastify()
bare.get('/weather/:city', (_request, reply) => { reply.send(body) })
// The same bare route sending the hit's five cache headers as constants: what is left between
// this and an L1 hit is our own work (lookup, cache, per-answer header values, metrics).
const cacheHeaders = Object.fromEntries(['etag', 'cache-control', 'age', 'x-cache', 'server-timing'].map((name) => [name, hit.headers.get(name)!]))
bare.get('/headers/:city', (_request, reply) => { reply.headers(cacheHeaders).type('application/json; charset=utf-8').send(body) })
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' })
process.send!({ ours, oursLru, bare: bareUrl })
process.on('disconnect', () => process.exit(0))
