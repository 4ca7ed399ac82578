// The service's side of the origin: one keep-alive pool per worker, every request bounded in time.
import { Pool, cacheStores, interceptors, type Dispatcher } from 'undici'
import { CityNotFoundError, OriginTimeoutError, OriginUnavailableError } from '../errors.js'
import type { OriginWeather } from './server.js'

/** What the weather route needs from a provider; the naive ladder rung implements it too. */
export interface OriginClient {
  fetchWeather (cityId: number): Promise<OriginWeather>
  close (): Promise<void>
}

export interface PooledOriginClientOptions {
  /** Base URL of the provider. */
  url: string
  /** Bound on one request, connect to last byte, ms. */
  timeoutMs: number
  /** Keep-alive connections in the pool. */
  connections: number
  /** undici's RFC 9111 cache interceptor under the pool, its memory store bounded so (ORIGIN_HTTP_CACHE=memory).
   * @default undefined: no HTTP cache */
  httpCache?: { maxCount: number, maxSize: number, maxEntrySize: number } | undefined
}

export class PooledOriginClient implements OriginClient {
  readonly #pool: Pool
  readonly #dispatcher: Dispatcher
  readonly #timeoutMs: number

  constructor ({ url, timeoutMs, connections, httpCache }: PooledOriginClientOptions) {
    this.#timeoutMs = timeoutMs
    this.#pool = new Pool(url, {
      connections,
      keepAliveTimeout: 30_000,
      connectTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs
    })
    // compose() wraps in order, so the origin is set first: the cache interceptor keys on
    // opts.origin, which Pool.request leaves unset (and then bypasses the cache).
    this.#dispatcher = httpCache === undefined
      ? this.#pool
      : this.#pool.compose(
        interceptors.cache({ store: new cacheStores.MemoryCacheStore(httpCache) }),
        (dispatch) => (opts, handler) => dispatch({ ...opts, origin: url }, handler)
      )
  }

  fetchWeather (cityId: number): Promise<OriginWeather> {
    return requestWeather(this.#dispatcher, cityId, this.#timeoutMs)
  }

  async close (): Promise<void> {
    await this.#pool.close()
  }
}

/**
 * One weather exchange on any undici dispatcher (a pool, or a one-off client), with one deadline
 * for all of it — including time queued for a connection — and errors mapped to the catalogue.
 */
export async function requestWeather (dispatcher: Dispatcher, cityId: number, timeoutMs: number): Promise<OriginWeather> {
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const { statusCode, body } = await dispatcher.request({ method: 'GET', path: `/v1/weather/${cityId}`, signal })
    if (statusCode !== 200) {
      await body.dump()
      if (statusCode === 404) throw unknownToOrigin(cityId)
      throw new OriginUnavailableError(`HTTP ${statusCode}`)
    }
    return await body.json() as OriginWeather
  } catch (err) {
    throw toOriginError(err, signal, timeoutMs)
  }
}

/** The provider does not know this city: a 404 the engine may remember (negative caching). */
export function unknownToOrigin (cityId: number): Error {
  return Object.assign(new CityNotFoundError(`id ${cityId} is unknown to the weather provider`), { negativeCacheable: true as const })
}

export function toOriginError (err: unknown, signal: AbortSignal, timeoutMs: number): Error {
  if (err instanceof OriginUnavailableError || err instanceof CityNotFoundError) return err
  const code = (err as { code?: string }).code
  if (signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new OriginTimeoutError(timeoutMs, { cause: err })
  }
  return new OriginUnavailableError((err as Error).message ?? String(err), { cause: err })
}
