// buildApp: the Fastify instance with every route, given its dependencies. No listen here,
// so tests drive it with inject() or a real socket, and the worker adds only the lifecycle.
import { createServer } from 'node:http'
import Fastify, {
  LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerFactory, type onResponseHookHandler
} from 'fastify'
import type { Logger } from 'pino'
import type { WeatherCache } from './cache/cache.js'
import type { WallClock } from './cache/clock.js'
import type { CityResolver } from './cities/city-index.js'
import { DEFAULT_SHARED_MAX_AGE_SECONDS, MAX_PATH_PARAM_LENGTH, type HttpConfig, type LogConfig } from './config.js'
import type { ServiceMetrics } from './metrics/metrics.js'
import { answerClientError, errorBody, registerErrorHandling } from './routes/errors.js'
import { registerBaselineRoute } from './routes/baseline.js'
import { registerOpsRoutes, type Readiness } from './routes/ops.js'
import { answerHeads, loaderByKey, registerWeatherRoute } from './routes/weather.js'
import { writeStoredAnswer, type WriteAnswer } from './routes/answer.js'
import { createHitFastPath, isSkippedByFastPath, LIFECYCLE_HOOKS, skippedByFastPath, type FastPath } from './routes/hit-fast-path.js'
import type { WeatherLoader } from './weather/weather-loader.js'

export interface AppOptions {
  config: {
    readonly http: Pick<HttpConfig, 'keepAliveTimeoutMs' | 'exposeBaseline' | 'trustProxy'>
    readonly log: Pick<LogConfig, 'requests'>
  }
  logger: Logger
  cities: CityResolver
  cache: WeatherCache
  loader: WeatherLoader
  /** Authorizes DELETE /weather/:city; undefined = purging disabled. */
  purgeToken?: string | undefined
  /** Grace advertised to downstream caches (stale-while-revalidate, stale-if-error), ms. @default 0 */
  graceMs?: number
  /** The longest a shared cache may keep an answer (`s-maxage`), s. @default SHARED_MAX_AGE_SECONDS (2) */
  sharedMaxAgeSeconds?: number
  metrics: ServiceMetrics
  readiness: () => Readiness
  wallClock?: WallClock
  /** How a cached answer goes on the wire. @default writeStoredAnswer */
  writeAnswer?: WriteAnswer
  /** Answer L1 hits in Node's request listener, before Fastify's router (src/routes/hit-fast-path.ts).
   * Only on a real server: inject() goes through Fastify. Off with request logging (a hit must be logged).
   * @default true */
  hitFastPath?: boolean
}

/** The routes whose hits the fast path answers. */
const FAST_PATH_ROUTES: ReadonlySet<string> = new Set(['/weather/:city', '/baseline/:city'])

/** Records each lifecycle hook added from now on (not marked skippedByFastPath) into `bypassed`. */
function watchBypassedHooks (app: FastifyInstance, bypassed: string[]): void {
  const addHook = app.addHook as (this: FastifyInstance, name: string, hook: unknown) => FastifyInstance
  // Plugins get Object.create(parent) instances, so they inherit this override.
  const watched = function (this: FastifyInstance, name: string, hook: unknown): FastifyInstance {
    if (LIFECYCLE_HOOKS.has(name) && !isSkippedByFastPath(hook)) bypassed.push(name)
    return addHook.call(this, name, hook)
  }
  app.addHook = watched as FastifyInstance['addHook']
}

export function buildApp (options: AppOptions): FastifyInstance {
  const { logger, metrics } = options
  const { keepAliveTimeoutMs, exposeBaseline, trustProxy } = options.config.http
  const logRequests = options.config.log.requests
  const unmatched = metrics.httpRoute('unmatched')
  const headOf = answerHeads(options.wallClock ?? Date.now, options.graceMs ?? 0, options.sharedMaxAgeSeconds ?? DEFAULT_SHARED_MAX_AGE_SECONDS)
  // Set once the server is built: the listener below exists before the routes it needs.
  let fastPath: FastPath | undefined
  const useFastPath = (options.hitFastPath ?? true) && !logRequests
  const serverFactory: FastifyServerFactory = (handler) => {
    const server = createServer((req, res) => { if (fastPath?.(req, res) !== true) handler(req, res) })
    // What Fastify sets on a server it creates itself (lib/server.js getServerInstance), with its defaults.
    server.keepAliveTimeout = keepAliveTimeoutMs
    server.requestTimeout = 0
    server.setTimeout(0)
    return server
  }
  const app = Fastify({
    ...(useFastPath ? { serverFactory } : {}),
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: !logRequests }),
    requestIdHeader: 'x-request-id',
    // A pino child per request (to bind reqId) costs on every hit; without request logging the
    // error handler binds reqId itself, so requests share the parent logger.
    ...(logRequests ? {} : { childLoggerFactory: (parent: FastifyBaseLogger) => parent }),
    keepAliveTimeout: keepAliveTimeoutMs,
    // request.ip is the client's only when the X-Forwarded-For came from our proxy.
    trustProxy: trustProxy === false ? false : trustProxy.split(','),
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // What Node's HTTP parser rejects never reaches a route: it still gets a JSON error with a code.
    clientErrorHandler: answerClientError,
    return503OnClosing: true,
    frameworkErrors: (error, request, reply) => {
      ;(reply as FastifyReply).code(400).send(errorBody(400, 'CS_ERR_REQUEST_INVALID', error.message))
      unmatched(request.method, 400, 0)
    }
  })

  // Request metrics: an onResponse hook on each route, bound to its route's label when the route
  // is registered, so a request pays no request.routeOptions (a fresh object per read) and no
  // label key. What matches no route is recorded by the not-found and framework-error handlers.
  registerErrorHandling(app, { onUnmatched: (request, reply) => unmatched(request.method, reply.statusCode, reply.elapsedTime / 1000) })
  // Hooks the fast path would skip for an L1 hit: registered anywhere (a plugin's instance inherits
  // this addHook) or on a route it answers. Any one turns it off when the app is ready.
  const bypassed: string[] = []
  if (useFastPath) watchBypassedHooks(app, bypassed)
  app.addHook('onRoute', (route) => {
    if (useFastPath && FAST_PATH_ROUTES.has(route.url)) {
      for (const name of LIFECYCLE_HOOKS) {
        const hooks = (route as unknown as Record<string, unknown>)[name]
        for (const hook of hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]) {
          // Fastify's own HEAD route strips the body in an onSend hook; the fast path answers HEAD itself.
          if (!isSkippedByFastPath(hook) && (hook as { name?: string }).name !== 'headRouteOnSendHandler') bypassed.push(`${name} on ${route.url}`)
        }
      }
    }
    const record = metrics.httpRoute(route.url)
    // The fast path records its hits itself (recordWeather), so it may skip this hook.
    const hook: onResponseHookHandler = skippedByFastPath((request, reply, done) => {
      record(request.method, reply.statusCode, reply.elapsedTime / 1000)
      done()
    })
    route.onResponse = route.onResponse === undefined ? [hook] : [...(Array.isArray(route.onResponse) ? route.onResponse : [route.onResponse]), hook]
  })
  registerWeatherRoute(app, {
    cities: options.cities,
    cache: options.cache,
    loader: options.loader,
    headOf,
    purgeToken: options.purgeToken,
    writeAnswer: options.writeAnswer ?? writeStoredAnswer
  })
  if (exposeBaseline) registerBaselineRoute(app)
  if (useFastPath) {
    let closing = false
    // Fastify answers 503 once closing (return503OnClosing); from then on every request goes to it.
    app.addHook('preClose', (done) => { closing = true; done() })
    fastPath = createHitFastPath({
      cities: options.cities,
      cache: options.cache,
      load: loaderByKey(options.cities, options.loader),
      headOf,
      recordWeather: metrics.httpRoute('/weather/:city'),
      recordBaseline: exposeBaseline ? metrics.httpRoute('/baseline/:city') : undefined,
      closing: () => closing
    })
    app.addHook('onReady', (done) => {
      if (bypassed.length > 0) {
        fastPath = undefined
        logger.warn({ hooks: bypassed }, 'hit fast path off: these hooks must run for every request, L1 hits included')
      }
      done()
    })
  }
  registerOpsRoutes(app, {
    readiness: options.readiness
  })
  return app
}
