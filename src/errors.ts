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
/** A dependency (an L2 command, the fill lock, the bus) did not settle within its bound
 * (src/cache/deadline.ts). The engine degrades on it; should one ever reach a client, it is a 503. */
export const DeadlineExceededError = createError('CS_ERR_DEADLINE', '%s did not settle within %d ms', 503)
export const NotReadyError = createError('CS_ERR_NOT_READY', 'Not ready: %s', 503)
export const UnauthorizedError = createError('CS_ERR_UNAUTHORIZED', 'A valid bearer token is required', 401)
/** Bad environment variables, one line each (src/env-reader.ts): the app's, the edge's, the stack runner's. */
export const ConfigInvalidError = createError('CS_ERR_CONFIG_INVALID', 'Invalid configuration:\n%s', 500)
/** A bad option of nginx's rendering (src/nginx/nginx-config.ts): a TypeError, as a bad argument is. */
export const NginxOptionError = createError('CS_ERR_NGINX_OPTION', 'expected nginx option %s to be %s, got %s', 500, TypeError)
export const InternalError = createError('CS_ERR_INTERNAL', 'Internal error', 500)
/** The internal metrics listener could not gather the workers' registries in time. */
export const MetricsUnavailableError = createError('CS_ERR_METRICS_UNAVAILABLE', 'Metrics unavailable: %s', 503)

// The tools' option errors: the message names the flag or option, its value and what was expected
// (src/cli-options.ts). No HTTP answer carries them; 500, as for a bad configuration.
export const LoadTestOptionError = createError('CS_ERR_LOADTEST_OPTION', '%s', 500)
export const LadderOptionError = createError('CS_ERR_LADDER_OPTION', '%s', 500)
export const ProfileOptionError = createError('CS_ERR_PROFILE_OPTION', '%s', 500)
export const SoakOptionError = createError('CS_ERR_SOAK_OPTION', '%s', 500)

/** The JSON body every error answer carries. */
export interface ErrorBody {
  statusCode: number
  code: string
  error: string
  message: string
}

/**
 * What nginx answers by itself in the full topology: its own errors and the internal paths it
 * refuses. Defined here so the catalogue stays the one place a code is defined and none is ever
 * reused; src/nginx/nginx-config.ts renders these bodies into nginx.conf (the template holds no
 * code or message of its own).
 */
export const EDGE_ERRORS = Object.freeze({
  /** 429: past the per-client `limit_req` budget. */
  rateLimited: { statusCode: 429, code: 'CS_ERR_RATE_LIMITED', error: 'Too Many Requests', message: 'Rate limit exceeded: slow down and retry after 1 s' },
  /** 400 (and nginx's 494): a request line or header nginx cannot parse or hold. */
  badRequest: { statusCode: 400, code: 'CS_ERR_REQUEST_INVALID', error: 'Bad Request', message: 'Malformed request or request headers too large' },
  /** 413: a body above client_max_body_size (the API takes none). */
  bodyTooLarge: { statusCode: 413, code: 'CS_ERR_REQUEST_INVALID', error: 'Payload Too Large', message: 'Request body too large' },
  /** 414: a request line above large_client_header_buffers. */
  uriTooLong: { statusCode: 414, code: 'CS_ERR_REQUEST_INVALID', error: 'URI Too Long', message: 'Request URI too long' },
  /** 502: no app instance answered (after `proxy_next_upstream` retries). */
  upstreamUnavailable: { statusCode: 502, code: 'CS_ERR_UPSTREAM_UNAVAILABLE', error: 'Bad Gateway', message: 'The service is unavailable: retry later' },
  /** 504: the app instances did not answer in time. */
  upstreamTimeout: { statusCode: 504, code: 'CS_ERR_UPSTREAM_TIMEOUT', error: 'Gateway Timeout', message: 'The service did not answer in time: retry later' },
  /** 404: /metrics and /ready through the public port (served on internal listeners only). */
  internalOnly: {
    statusCode: 404, code: 'CS_ERR_ROUTE_NOT_FOUND', error: 'Not Found', message: 'Not served here: internal endpoints are not exposed through nginx'
  },
  /** 404: anything but /stub_status on nginx's status listener. */
  statusOnly: { statusCode: 404, code: 'CS_ERR_ROUTE_NOT_FOUND', error: 'Not Found', message: 'The status listener serves /stub_status only' }
} satisfies Record<string, ErrorBody>)

export interface CodedError extends Error {
  code?: string
  statusCode?: number
}

export function isCodedError (err: unknown): err is CodedError & { code: string, statusCode: number } {
  return err instanceof Error && typeof (err as CodedError).code === 'string' &&
    (err as CodedError).code!.startsWith('CS_ERR_') && typeof (err as CodedError).statusCode === 'number'
}
