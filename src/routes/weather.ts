// GET|HEAD|DELETE /weather/:city. GET is the route measured against a bare Fastify route: an L1
// hit is one Map lookup, one LRU lookup and stored bytes sent with a handful of headers.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { CityResolver } from '../cities/city-index.js'
import type { City } from '../cities/city.js'
import { normalizeCityName, normalizeCountry } from '../cities/normalize.js'
import type { WeatherCache } from '../cache/cache.js'
import type { CacheResult, CacheSource, Loader } from '../cache/engine.js'
import type { CacheEntry } from '../cache/entry.js'
import type { WallClock } from '../cache/clock.js'
import { CityNotFoundError, CountryInvalidError, RedisUnavailableError, UnauthorizedError } from '../errors.js'
import type { WeatherLoader } from '../weather/weather-loader.js'
import type { AnswerHead, WriteAnswer } from './answer.js'

export interface WeatherRouteOptions {
  cities: CityResolver
  cache: WeatherCache
  loader: WeatherLoader
  /** Makes an answer's head (answerHeads: the wall clock for Age, the grace advertised downstream). */
  headOf: AnswerHeadOf
  /** Authorizes DELETE; undefined = purging disabled (every DELETE is 401). */
  purgeToken: string | undefined
  /** Puts an answer on the wire: stored bytes (default) or the naive framework path. */
  writeAnswer: WriteAnswer
}

type WeatherRequest = FastifyRequest<{ Params: { city: string }, Querystring: { country?: string | string[] } }>

export const L1_TIMING = 'l1;desc=hit'

/**
 * The cache's loader: a key (a city id, City.key) back to its city, then the origin. One function
 * for the route and the hit fast path — a refresh the lookup starts needs no closure per request.
 */
export function loaderByKey (cities: CityResolver, loader: Pick<WeatherLoader, 'load'>): Loader {
  return (key) => {
    const city = cities.byId(Number(key))
    return city === undefined ? Promise.reject(new CityNotFoundError(JSON.stringify(key))) : loader.load(city)
  }
}

/** Resolves the path parameter (and ?country=) to a city, or throws a 400/404. No I/O. */
export function resolveCity (cities: CityResolver, rawName: string, rawCountry: unknown): City {
  const name = normalizeCityName(rawName)
  let country: string | undefined
  if (rawCountry !== undefined) {
    if (typeof rawCountry !== 'string') throw new CountryInvalidError('given more than once')
    country = normalizeCountry(rawCountry)
  }
  const city = cities.resolve(name, country)
  if (city === undefined) throw new CityNotFoundError(JSON.stringify(country === undefined ? name : `${name}, ${country}`))
  return city
}

// RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current entry.
export function etagMatches (header: string, etag: string): boolean {
  if (header === etag || header === '*') return true
  for (const part of header.split(',')) {
    const tag = part.trim()
    if (tag === etag || tag === 'W/' + etag || tag === '*') return true
  }
  return false
}

/** Compares a bearer token in constant time (hashing first makes the lengths equal). */
export function bearerMatches (header: string | undefined, token: string | undefined): boolean {
  if (token === undefined || header === undefined || !header.startsWith('Bearer ')) return false
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(header.slice(7).trim()), digest(token))
}

/** How the head of an answer is made: freshness, Age, and 304 when If-None-Match matches. */
export type AnswerHeadOf = (entry: CacheEntry, source: CacheSource, remainingMs: number, serverTiming: string, ifNoneMatch: string | undefined) => AnswerHead

/** The route's and the hit fast path's one way to make an answer's head. */
export function answerHeads (wallClock: WallClock, graceMs: number, sharedMaxAgeSeconds: number): AnswerHeadOf {
  // Downstream caches (nginx's edge tier, browsers) get the same grace as ours (RFC 5861).
  const graceSeconds = Math.floor(graceMs / 1000)
  const cacheControlSuffix = graceSeconds > 0 ? `, stale-while-revalidate=${graceSeconds}, stale-if-error=${graceSeconds}` : ''
  return (entry, source, remainingMs, serverTiming, ifNoneMatch) => {
    // max-age is what is left of *our* freshness; Age says how old the answer is (RFC 9111 §5.1, §5.2.2.1).
    const maxAge = remainingMs > 0 ? Math.floor(remainingMs / 1000) : 0
    // A purge reaches L1 and L2 but no shared cache: s-maxage (§5.2.2.10) bounds how long one
    // keeps a purged answer (docs/scaling.md, "Purging the edge").
    const sharedMaxAge = maxAge < sharedMaxAgeSeconds ? maxAge : sharedMaxAgeSeconds
    const age = Math.max(0, Math.floor((wallClock() - entry.storedAt) / 1000))
    const status = ifNoneMatch !== undefined && etagMatches(ifNoneMatch, entry.etag) ? 304 : 200
    const cacheControl = 'public, max-age=' + maxAge + ', s-maxage=' + sharedMaxAge + cacheControlSuffix
    return { status, cacheControl, age, source, serverTiming }
  }
}

export function registerWeatherRoute (app: FastifyInstance, { cities, cache, loader, headOf, purgeToken, writeAnswer }: WeatherRouteOptions): void {
  const load = loaderByKey(cities, loader)
  function send (request: FastifyRequest, reply: FastifyReply, entry: CacheEntry, source: CacheSource, remainingMs: number, timing: string): void {
    writeAnswer(reply, entry, headOf(entry, source, remainingMs, timing, request.headers['if-none-match']))
  }

  function sendResult (request: FastifyRequest, reply: FastifyReply, result: CacheResult): void {
    send(request, reply, result.entry, result.source, result.remainingMs, result.serverTiming)
  }

  // Not `async`: an L1 hit answers synchronously, without a promise.
  function handler (request: WeatherRequest, reply: FastifyReply): Promise<void> | undefined {
    const city = resolveCity(cities, request.params.city, request.query.country)
    const record = cache.peek(city.key, load)
    if (record !== undefined) {
      send(request, reply, record.entry, 'HIT-L1', cache.remainingMs(record), L1_TIMING)
      return undefined
    }
    return cache.get(city.key, load).then((result) => sendResult(request, reply, result))
  }

  app.get('/weather/:city', handler)

  // Purge: L2 and every worker's and instance's L1 (through the bus).
  app.delete('/weather/:city', async (request: WeatherRequest, reply: FastifyReply) => {
    if (!bearerMatches(request.headers.authorization, purgeToken)) {
      reply.header('www-authenticate', 'Bearer')
      throw new UnauthorizedError()
    }
    const city = resolveCity(cities, request.params.city, request.query.country)
    try {
      await cache.delete(city.key)
    } catch (err) {
      throw new RedisUnavailableError('the purge did not reach L2', { cause: err })
    }
    return reply.code(204).send()
  })
}
