// The error catalogue: one stable CS_ERR_* code per failure, with its HTTP status.
// A retired code is never reused. Pass the original error as `{ cause }` (last argument).
import createError from '@fastify/error'

export const CityInvalidError = createError('CS_ERR_CITY_INVALID', 'Invalid city name: %s', 400)
export const CountryInvalidError = createError('CS_ERR_COUNTRY_INVALID', 'Invalid country code: %s (expected an ISO 3166-1 alpha-2 code such as FR)', 400)
export const CityNotFoundError = createError('CS_ERR_CITY_NOT_FOUND', 'Unknown city: %s', 404)
export const RouteNotFoundError = createError('CS_ERR_ROUTE_NOT_FOUND', 'No route for %s %s', 404)
export const RequestInvalidError = createError('CS_ERR_REQUEST_INVALID', 'Invalid request: %s', 400)
/** The client sent its request head too slowly (Node's requestTimeout / headersTimeout). */
export const RequestTimeoutError = createError('CS_ERR_REQUEST_TIMEOUT', 'The request was not received in time', 408)
export const OriginUnavailableError = createError('CS_ERR_ORIGIN_UNAVAILABLE', 'The weather provider failed: %s', 502)
export const OriginTimeoutError = createError('CS_ERR_ORIGIN_TIMEOUT', 'The weather provider did not answer within %d ms', 504)
export const RedisUnavailableError = createError('CS_ERR_REDIS_UNAVAILABLE', 'Redis is unavailable: %s', 503)
export const NotReadyError = createError('CS_ERR_NOT_READY', 'Not ready: %s', 503)
export const UnauthorizedError = createError('CS_ERR_UNAUTHORIZED', 'A valid bearer token is required', 401)
export const ConfigInvalidError = createError('CS_ERR_CONFIG_INVALID', 'Invalid configuration:\n%s', 500)
export const InternalError = createError('CS_ERR_INTERNAL', 'Internal error', 500)
/** The internal metrics listener could not gather the workers' registries in time. */
export const MetricsUnavailableError = createError('CS_ERR_METRICS_UNAVAILABLE', 'Metrics unavailable: %s', 503)

/**
 * Codes nginx answers with in the full topology (nginx/nginx.conf.template): listed here so the
 * catalogue stays the one place a code is defined, and none is ever reused.
 */
export const EDGE_ERROR_CODES = {
  /** 429: past the per-client `limit_req` budget. */
  rateLimited: 'CS_ERR_RATE_LIMITED',
  /** 502: no app instance answered (after `proxy_next_upstream` retries). */
  upstreamUnavailable: 'CS_ERR_UPSTREAM_UNAVAILABLE',
  /** 504: the app instances did not answer in time. */
  upstreamTimeout: 'CS_ERR_UPSTREAM_TIMEOUT'
} as const

/** The JSON body every error answer carries. */
export interface ErrorBody {
  statusCode: number
  code: string
  error: string
  message: string
}

export interface CodedError extends Error {
  code?: string
  statusCode?: number
}

export function isCodedError (err: unknown): err is CodedError & { code: string, statusCode: number } {
  return err instanceof Error && typeof (err as CodedError).code === 'string' &&
    (err as CodedError).code!.startsWith('CS_ERR_') && typeof (err as CodedError).statusCode === 'number'
}
