// The hit fast path: a GET or HEAD of /weather/:city whose answer is in L1 is answered in Node's
// request listener, before Fastify's router, request and reply objects and hook runner. That
// framework work is most of what an L1 hit costs (a Map lookup and stored bytes are the rest),
// so skipping it is the one trick left once the answer is serialized once. Only a sure hit is
// answered here; anything else — a miss, a query string, an encoding or a name Fastify would
// refuse, a closing server — falls through to Fastify untouched, which answers it exactly as
// before (the route redoes the cheap lookup). The answer is the route's own: the same head
// (answerHeads), the same writer (writeStoredResponse), the same L1 counters and request
// metrics. The limit of the load tests, /baseline/:city, is answered the same way when exposed.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { WeatherCache } from '../cache/cache.js'
import type { Loader } from '../cache/engine.js'
import type { CityResolver } from '../cities/city-index.js'
import { normalizeCityName } from '../cities/normalize.js'
import { MAX_PATH_PARAM_LENGTH } from '../config.js'
import type { HttpRouteRecorder } from '../metrics/metrics.js'
import { writeStoredResponse } from './answer.js'
import { writeBaseline } from './baseline.js'
import { L1_TIMING, type AnswerHeadOf } from './weather.js'

/** Answers the request and returns true, or returns false having touched nothing. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean

/** Fastify's request lifecycle hooks: every one of them is skipped for a hit the fast path answers. */
export const LIFECYCLE_HOOKS: ReadonlySet<string> = new Set([
  'onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse', 'onError', 'onTimeout', 'onRequestAbort'
])

const SKIPPABLE = Symbol('cachestack.skippedByFastPath')

/**
 * Marks a lifecycle hook that may be skipped for the L1 hits the fast path answers — one that only
 * observes what reaches Fastify. Any other lifecycle hook (an auth check, a header, a log line)
 * turns the fast path off, so that it runs for every request.
 */
export function skippedByFastPath<T extends (...args: never[]) => unknown> (hook: T): T {
  return Object.assign(hook, { [SKIPPABLE]: true })
}

/** Whether a hook function has been marked with skippedByFastPath. */
export const isSkippedByFastPath = (hook: unknown): boolean => typeof hook === 'function' && (hook as { [SKIPPABLE]?: boolean })[SKIPPABLE] === true

export interface HitFastPathOptions {
  cities: CityResolver
  cache: WeatherCache
  /** The route's loader (loaderByKey): an early refresh the lookup decides on starts with it. */
  load: Loader
  headOf: AnswerHeadOf
  /** The /weather/:city route's request metrics (as its onResponse hook records them). */
  recordWeather: HttpRouteRecorder
  /** The /baseline/:city route's, when that route is exposed; undefined = not answered here. */
  recordBaseline: HttpRouteRecorder | undefined
  /** True once the app is closing: Fastify answers 503 from then on, so the fast path steps aside. */
  closing: () => boolean
}

const WEATHER = '/weather/'
const BASELINE = '/baseline/'

/** The path parameter of `prefix` + one segment, or undefined (another route, or no plain single segment). */
function segmentAfter (url: string, prefix: string): string | undefined {
  if (!url.startsWith(prefix) || url.length === prefix.length) return undefined
  // Longer than the router allows: Fastify answers the 400, never L1.
  if (url.length - prefix.length > MAX_PATH_PARAM_LENGTH) return undefined
  // '/' is another route; '?' and '#' need Fastify's query parsing: fall through.
  for (let i = prefix.length; i < url.length; i++) {
    const c = url.charCodeAt(i)
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) return undefined
  }
  return url.slice(prefix.length)
}

export function createHitFastPath ({ cities, cache, load, headOf, recordWeather, recordBaseline, closing }: HitFastPathOptions): FastPath {
  return function hitFastPath (req, res) {
    const method = req.method
    if ((method !== 'GET' && method !== 'HEAD') || closing()) return false
    const url = req.url!
    const segment = segmentAfter(url, WEATHER)
    if (segment === undefined) {
      if (recordBaseline === undefined || segmentAfter(url, BASELINE) === undefined) return false
      const started = performance.now()
      writeBaseline(res)
      recordBaseline(method, 200, (performance.now() - started) / 1000)
      return true
    }
    // The hit's duration; a request that is not a /weather hit candidate pays no clock read.
    const started = performance.now()
    let name: string
    try {
      name = normalizeCityName(segment.includes('%') ? decodeURIComponent(segment) : segment)
    } catch {
      return false // a malformed escape or an invalid name: Fastify answers the 400
    }
    const city = cities.resolve(name)
    if (city === undefined) return false
    const record = cache.peek(city.key, load)
    if (record === undefined) return false
    const head = headOf(record.entry, 'HIT-L1', cache.remainingMs(record), L1_TIMING, req.headers['if-none-match'])
    writeStoredResponse(res, record.entry, head)
    recordWeather(method, head.status, (performance.now() - started) / 1000)
    return true
  }
}
