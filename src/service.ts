// The composition root of one worker: config → cities, Redis, engine, origin client, metrics → app.
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './app.js'
import { coarseClock, type Clock, type WallClock } from './cache/clock.js'
import type { WeatherCache } from './cache/cache.js'
import { createCache } from './cache/create-cache.js'
import type { CityResolver, IndexableCity } from './cities/city-index.js'
import { openCompactCityIndex } from './cities/compact-city-file.js'
import { loadCities } from './cities/dataset.js'
import { usesRedis, type Config } from './config.js'
import { createMetrics, type ServiceMetrics } from './metrics/metrics.js'
import { PooledOriginClient, type OriginClient } from './origin/client.js'
import { StartingOriginClient } from './origin/starting-origin.js'
import { LinearCityResolver } from './naive/linear-city-resolver.js'
import { NewConnectionOriginClient } from './naive/new-connection-origin-client.js'
import { PerRequestReportLoader } from './naive/per-request-report.js'
import { writeFrameworkAnswer } from './naive/framework-answer.js'
import { createRedisClient, type RedisClient } from './redis.js'
import type { Readiness } from './routes/ops.js'
import { WeatherLoader } from './weather/weather-loader.js'

export interface ServiceOptions {
  config: Readonly<Config>
  logger: Logger
  /** Shared across services in one process (tests); otherwise the compact index, read from its file. */
  cities?: CityResolver
  /** The raw data set, for the naive linear resolver (NAIVE=resolver); loaded once otherwise. */
  dataset?: readonly IndexableCity[]
  clock?: Clock
  wallClock?: WallClock
  /** Replaces the pooled client (the naive ladder rung). */
  origin?: OriginClient
  /** While the embedded provider starts (npm start): origin calls wait for this, bounded by ORIGIN_TIMEOUT_MS. */
  originReady?: Promise<void>
  collectDefaultMetrics?: boolean
}

export interface Service {
  readonly app: FastifyInstance
  readonly cache: WeatherCache
  readonly redis: RedisClient | undefined
  readonly metrics: ServiceMetrics
  /** Waits (bounded by the connect timeout) for Redis and the bus, so a fresh worker does not start with L2 misses. */
  ready (): Promise<void>
  /** Stops accepting, drains in-flight requests, closes Redis and the origin pool. */
  close (): Promise<void>
}

export function createService (options: ServiceOptions): Service {
  const { config, logger, clock = { now: coarseClock(() => performance.now()) }, wallClock = coarseClock(Date.now) } = options
  if (config.origin.url === undefined && options.origin === undefined) throw new TypeError('expected config.origin.url or options.origin')
  // The optimization ladder (NAIVE=…, src/naive/) swaps in deliberately naive parts; never a default.
  const naive = new Set(config.naive)
  const cities: CityResolver = naive.has('resolver')
    ? new LinearCityResolver(options.dataset ?? loadCities())
    // Typed arrays over one file: no per-city objects, no decoding of the data set in a worker.
    : options.cities ?? openCompactCityIndex({ onProblem: (message) => logger.warn(message) })
  const metrics = createMetrics({ collectDefaults: options.collectDefaultMetrics ?? true })
  const redisLogger = logger.child({ component: 'redis' })
  // Checked by loadConfig: a strategy that uses Redis has a target.
  const redisConfig = { ...config.redis, target: config.redis.target! }
  const redis = usesRedis(config.cache.strategy) ? createRedisClient(redisConfig, redisLogger) : undefined
  const cache = createCache(config.cache.strategy, {
    config,
    redis,
    // The bus needs a connection of its own: a subscribed client can run nothing else.
    subscriber: redis === undefined ? undefined : createRedisClient(redisConfig, redisLogger, { subscriber: true }),
    clock,
    logger: logger.child({ component: 'cache' }),
    events: metrics.cacheEvents,
    onBreakerStateChange: (state) => metrics.breakerState(state)
  })
  metrics.watchL1(() => cache.l1Usage?.())
  const client = options.origin ?? (naive.has('connection')
    ? new NewConnectionOriginClient({ url: config.origin.url!, timeoutMs: config.origin.timeoutMs })
    : new PooledOriginClient({
      url: config.origin.url!,
      timeoutMs: config.origin.timeoutMs,
      connections: config.origin.connections,
      httpCache: config.origin.httpCache === 'memory'
        ? { maxCount: config.cache.l1.maxEntries, maxSize: config.cache.l1.maxBytes, maxEntrySize: config.cache.l1.maxEntryBytes }
        : undefined
    }))
  const origin = options.originReady === undefined ? client : new StartingOriginClient(client, options.originReady, config.origin.timeoutMs)
  const Loader = naive.has('serialize') ? PerRequestReportLoader : WeatherLoader
  const loader = new Loader({ origin, clock, wallClock, onOriginRequest: (outcome, seconds) => metrics.originRequest(outcome, seconds) })

  let closing = false
  const readiness = (): Readiness => {
    const checks: Readiness['checks'] = {}
    if (closing) checks.server = 'closing'
    if (redis !== undefined) checks.redis = redis.status === 'ready' ? 'up' : 'down'
    return { ready: Object.values(checks).every((state) => state === 'up'), checks }
  }

  const app = buildApp({
    config,
    logger,
    cities,
    cache,
    loader,
    purgeToken: config.cache.purgeToken,
    graceMs: config.cache.strategy === 'none' ? 0 : config.cache.graceMs,
    sharedMaxAgeSeconds: config.cache.sharedMaxAgeSeconds,
    metrics,
    readiness,
    wallClock,
    // NAIVE=serialize: the answer rebuilt per hit (above) and sent through Fastify's reply and
    // router, as a first version would; the default answers L1 hits before the router.
    ...(naive.has('serialize') ? { writeAnswer: writeFrameworkAnswer, hitFastPath: false } : {})
  })

  return {
    app,
    cache,
    redis,
    metrics,
    async ready () {
      if (redis === undefined) return
      const connected = (async () => {
        if (redis.status !== 'ready') await new Promise<void>(resolve => redis.once('ready', () => resolve()))
        await cache.start?.()
      })()
      connected.catch((err: unknown) => logger.warn({ err }, 'cache start failed; serving from L1 and the origin meanwhile'))
      const timer = new Promise<'timeout'>(resolve => setTimeout(() => resolve('timeout'), config.redis.connectTimeoutMs).unref())
      if (await Promise.race([connected.then(() => 'ok', () => 'failed'), timer]) === 'timeout') {
        logger.warn({ timeoutMs: config.redis.connectTimeoutMs }, 'redis not connected yet; serving from L1 and the origin meanwhile')
      }
    },
    async close () {
      if (closing) return
      closing = true
      await app.close()
      await origin.close()
      await cache.close?.()
      if (redis !== undefined) {
        // QUIT waits for pending replies; a dead server must not hold the shutdown.
        await Promise.race([redis.quit().catch(() => {}), new Promise(resolve => setTimeout(resolve, 1000).unref())])
        redis.disconnect()
      }
    }
  }
}
