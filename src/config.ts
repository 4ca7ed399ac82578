// Environment → one typed, validated, frozen Config. Every default lives here, once.
import { availableParallelism } from 'node:os'
import { EnvReader, type Env } from './env-reader.js'
import {
  fraction, hostPorts, integer, matching, onOff, oneOf, positive, ratio, rule, subsetOf, text, url
} from './value-rules.js'
import { ConfigInvalidError } from './errors.js'

export const CACHE_STRATEGIES = ['none', 'memory', 'redis', 'layered', 'layered-xfetch', 'peer-bentocache', 'peer-cache-manager'] as const
export type CacheStrategyName = typeof CACHE_STRATEGIES[number]

/** L1 eviction policies (src/cache/l1-policies/; docs/caching-policies.md has the study). */
export const L1_POLICIES = ['lru', 'sieve', 's3fifo', 'tinylfu'] as const
export type L1PolicyName = typeof L1_POLICIES[number]

/** How L1 copies learn that L2 changed (src/cache/invalidation-bus.ts, src/cache/tracking-bus.ts). */
export const L1_INVALIDATION_MODES = ['pubsub', 'tracking'] as const
export type L1InvalidationMode = typeof L1_INVALIDATION_MODES[number]

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

/** Deliberately naive parts for the optimization ladder (src/naive/); never a default. */
export const NAIVE_COMPONENTS = ['resolver', 'serialize', 'connection'] as const
export type NaiveComponent = typeof NAIVE_COMPONENTS[number]

/** An HTTP cache on the origin client instead of (or under) the engine: 'memory' is undici's
 * RFC 9111 interceptor with its memory store (the load tests' peer-undici-cache). */
export const ORIGIN_HTTP_CACHES = ['off', 'memory'] as const
export type OriginHttpCache = typeof ORIGIN_HTTP_CACHES[number]

/** The router's bound on one path parameter (characters, before decoding): long enough for the
 * 100-character city limit to be ours to enforce with a 400, still bounded. The hit fast path
 * refuses the same, so what Fastify would reject is never answered from L1. */
export const MAX_PATH_PARAM_LENGTH = 1000

/** SHARED_MAX_AGE_SECONDS' default: how long a shared cache (the edge) may keep an answer. */
export const DEFAULT_SHARED_MAX_AGE_SECONDS = 2

/** Where L2 lives: one node, a Redis Cluster, or a Sentinel-managed primary. */
export type RedisTarget =
  | { kind: 'single', url: string }
  | { kind: 'cluster', nodes: ReadonlyArray<{ host: string, port: number }> }
  | { kind: 'sentinel', sentinels: ReadonlyArray<{ host: string, port: number }>, name: string }

export interface OriginSimulationConfig {
  /** Port of the simulated provider (`npm run origin`, or embedded by `npm start`). @default 4000 */
  port: number
  /** Mean latency of one weather answer, ms. @default 80 */
  latencyMs: number
  /** Uniform jitter around the mean latency, ± ms. @default 20 */
  jitterMs: number
  /** Share of weather answers that fail with 503, 0..1. @default 0 */
  errorRate: number
  /** Weather is deterministic per city and per time bucket of this many seconds. @default 600 */
  bucketSeconds: number
  /** `Cache-Control: public, max-age=N` on every weather answer (RFC 9111 §5.2.2.1), for an HTTP
   * cache in front of the provider or in its client (the load tests' peers). @default undefined: no header */
  maxAgeSeconds?: number | undefined
  /** With maxAgeSeconds: stale-while-revalidate and stale-if-error (RFC 5861) of this many seconds
   * in the same header; 0 adds neither. @default 0 */
  staleSeconds?: number
}

export interface Config {
  /** HTTP port of the service. @default 3000 */
  port: number
  /** Interface to listen on. @default '127.0.0.1' (use 0.0.0.0 in containers) */
  host: string
  /** Port of the internal metrics listener (the primary's `/metrics`, aggregated over every
   * worker). Never the public port: nginx does not proxy it and compose does not publish it.
   * @default 9464 */
  metricsPort: number
  /** Interface of the metrics listener. @default HOST */
  metricsHost: string
  /** Cluster workers. @default os.availableParallelism() */
  workers: number
  /** Which cache layers answer. @default 'layered' with REDIS_URL, else 'memory' */
  cacheStrategy: CacheStrategyName
  /**
   * The L2 topology, from exactly one of REDIS_URL, REDIS_CLUSTER_NODES (comma-separated
   * host:port seeds) or REDIS_SENTINELS (host:port list, with REDIS_SENTINEL_NAME).
   * Required by every strategy but 'none' and 'memory'.
   */
  redis: RedisTarget | undefined
  /** The weather provider. Unset: `npm start` embeds the simulated one. */
  originUrl: string | undefined
  /** Fresh lifetime (logical TTL) of a cached answer, ms. @default 300_000 (CACHE_TTL_SECONDS=300) */
  cacheTtlMs: number
  /** After freshness, served stale while refreshing or while the origin fails, ms; Redis keeps fresh + grace. @default 600_000 */
  cacheGraceMs: number
  /** The longest a shared cache (nginx's edge tier, a CDN) may keep an answer before asking again,
   * s: `s-maxage` (RFC 9111 §5.2.2.10). A purge cannot reach a shared cache, so this bounds how long
   * one serves a purged answer. Browsers still get the full `max-age`. @default 2 */
  sharedMaxAgeSeconds: number
  /** Fresh lifetimes are shortened at random by up to this share, so keys filled together expire apart. @default 0.1 */
  cacheTtlJitter: number
  /** How long an id the provider does not know is remembered, ms. @default 30_000 */
  negativeTtlMs: number
  /** XFetch's beta for the 'layered-xfetch' strategy (refresh early with probability growing near expiry). @default 1 */
  xfetchBeta: number
  /** Longest wait for another process's fill of a key before calling the origin ourselves, ms. @default ORIGIN_TIMEOUT_MS + 500 */
  lockWaitMs: number
  /** Bearer token that authorizes DELETE /weather/:city; unset = purging disabled (401). */
  purgeToken: string | undefined
  /** L1 bound by entry count. @default 10_000 */
  l1MaxEntries: number
  /** L1 bound by bytes of stored JSON. @default 64 MiB */
  l1MaxBytes: number
  /** Largest single answer L1 keeps, bytes. @default 1 MiB */
  l1MaxEntryBytes: number
  /** Which records L1 keeps when full: S3-FIFO by default, the study's choice (docs/caching-policies.md). @default 's3fifo' */
  l1Policy: L1PolicyName
  /**
   * How L1 copies are kept coherent: 'pubsub' — our own messages on a channel ("filled", "invalidate");
   * 'tracking' — Redis reports every write under the key prefix itself (CLIENT TRACKING, broadcast
   * mode), whoever wrote it; needs Redis >= 6. docs/scaling.md compares the two. @default 'pubsub'
   */
  l1Invalidation: L1InvalidationMode
  /** Key namespace in Redis: keys are `<ns>:<version>:<city id>`. @default 'weather' */
  redisKeyPrefix: string
  /** Bound on one Redis command on the request path, ms. @default 150 */
  redisCommandTimeoutMs: number
  /** Bound on connecting to Redis, ms. @default 2000 */
  redisConnectTimeoutMs: number
  /**
   * ioredis auto-pipelining: commands issued in the same tick share one write (never on a
   * Cluster). Off only to measure what it saves (the optimization ladder). @default true
   */
  redisAutoPipelining: boolean
  /** Consecutive L2 failures that open the circuit breaker. @default 5 */
  breakerFailureThreshold: number
  /** How long the breaker stays open before one half-open probe, ms. @default 2000 */
  breakerResetMs: number
  /** Bound on one origin request, ms. @default 2000 */
  originTimeoutMs: number
  /** Keep-alive connections per worker to the origin. @default 32 */
  originConnections: number
  /** undici's RFC 9111 cache interceptor on the origin client, bounded as L1 (L1_MAX_ENTRIES,
   * L1_MAX_BYTES, L1_MAX_ENTRY_BYTES) and honouring the provider's Cache-Control; with
   * CACHE_STRATEGY=none, the load tests' peer-undici-cache. @default 'off' */
  originHttpCache: OriginHttpCache
  /**
   * Which peers may set X-Forwarded-For (request.ip): proxy-addr names (loopback, linklocal,
   * uniquelocal), addresses or CIDRs, comma-separated; 'false' trusts nobody. @default 'loopback' (nginx on the same host)
   */
  trustProxy: string | false
  /** Idle keep-alive of client connections, ms; above nginx's upstream keepalive_timeout (60s). @default 72_000 */
  keepAliveTimeoutMs: number
  /** Bound on a graceful shutdown, ms. @default 10_000 */
  shutdownTimeoutMs: number
  /** Log every request (nginx keeps the access log in the full topology). @default false */
  logRequests: boolean
  /** Serve GET /baseline/:city, a constant answer of a report's size: the load tests' "limit" target. @default false */
  exposeBaseline: boolean
  /** pino level. @default 'info' */
  logLevel: LogLevel
  /** Human-readable logs (npm run dev). @default false */
  logPretty: boolean
  /**
   * Naive components swapped in for the optimization ladder, NAIVE=resolver,serialize,connection
   * (or all, none): a linear city scan, a report rebuilt, stringified and sent through Fastify's
   * router and reply per request (no hit fast path), a new origin connection per request. @default [] (none)
   */
  naive: readonly NaiveComponent[]
  origin: OriginSimulationConfig
}

export type { Env }

/** Who may set X-Forwarded-For: 'false' (nobody), or proxy-addr names, addresses or CIDRs. */
const trustList = rule(
  'false, or proxy-addr names, addresses or CIDRs, comma-separated',
  (raw) => /^(false|no|off|0)$/i.test(raw) ? false : raw.split(',').map((part) => part.trim()).filter(Boolean).join(','),
  (value): value is string | false => value === false || (typeof value === 'string' && /^[A-Za-z0-9.:/,]+$/.test(value))
)

const token = matching(/^[\x21-\x7e]{16,}$/, 'at least 16 printable characters without spaces')

/** NAIVE, and `npm run profile -- --naive`. */
export const naiveList = subsetOf(NAIVE_COMPONENTS)

const keyPrefix = matching(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 characters of A-Z a-z 0-9 _ . -')

/** Reads and validates the environment; throws CS_ERR_CONFIG_INVALID naming every bad variable. */
export function loadConfig (env: Env = process.env): Readonly<Config> {
  const r = new EnvReader(env)
  const redisUrl = r.read('REDIS_URL', url(['redis:', 'rediss:']), undefined)
  const clusterNodes = r.read('REDIS_CLUSTER_NODES', hostPorts, undefined)
  const sentinels = r.read('REDIS_SENTINELS', hostPorts, undefined)
  const sentinelName = r.read('REDIS_SENTINEL_NAME', text, 'mymaster')
  const targets = [redisUrl && 'REDIS_URL', clusterNodes && 'REDIS_CLUSTER_NODES', sentinels && 'REDIS_SENTINELS'].filter(Boolean)
  if (targets.length > 1) r.errors.push(`  ${targets.join(', ')}: set only one Redis topology`)
  const redis: RedisTarget | undefined = clusterNodes !== undefined
    ? { kind: 'cluster', nodes: clusterNodes }
    : sentinels !== undefined
      ? { kind: 'sentinel', sentinels, name: sentinelName }
      : redisUrl !== undefined ? { kind: 'single', url: redisUrl } : undefined
  const cacheStrategy = r.read('CACHE_STRATEGY', oneOf(CACHE_STRATEGIES), redis === undefined ? 'memory' : 'layered')
  const config: Config = {
    port: r.read('PORT', integer(0, 65535), 3000),
    host: r.read('HOST', text, '127.0.0.1'),
    metricsPort: r.read('METRICS_PORT', integer(1, 65535), 9464),
    metricsHost: '',
    workers: r.read('WORKERS', integer(1, 256), availableParallelism()),
    cacheStrategy,
    redis,
    originUrl: r.read('ORIGIN_URL', url(['http:', 'https:']), undefined),
    cacheTtlMs: r.read('CACHE_TTL_SECONDS', integer(1, 86_400 * 30), 300) * 1000,
    cacheGraceMs: r.read('CACHE_GRACE_SECONDS', integer(0, 86_400 * 30), 600) * 1000,
    cacheTtlJitter: r.read('CACHE_TTL_JITTER', fraction, 0.1),
    sharedMaxAgeSeconds: r.read('SHARED_MAX_AGE_SECONDS', integer(0, 86_400 * 30), DEFAULT_SHARED_MAX_AGE_SECONDS),
    negativeTtlMs: r.read('NEGATIVE_TTL_SECONDS', integer(0, 86_400), 30) * 1000,
    xfetchBeta: r.read('XFETCH_BETA', positive, 1),
    lockWaitMs: 0,
    purgeToken: r.read('PURGE_TOKEN', token, undefined),
    l1MaxEntries: r.read('L1_MAX_ENTRIES', integer(1, 10_000_000), 10_000),
    l1MaxBytes: r.read('L1_MAX_BYTES', integer(1024, 2 ** 40), 64 * 1024 * 1024),
    l1MaxEntryBytes: r.read('L1_MAX_ENTRY_BYTES', integer(64, 2 ** 30), 1024 * 1024),
    l1Policy: r.read('L1_POLICY', oneOf(L1_POLICIES), 's3fifo'),
    l1Invalidation: r.read('L1_INVALIDATION', oneOf(L1_INVALIDATION_MODES), 'pubsub'),
    redisKeyPrefix: r.read('REDIS_KEY_PREFIX', keyPrefix, 'weather'),
    redisCommandTimeoutMs: r.read('REDIS_COMMAND_TIMEOUT_MS', integer(1, 60_000), 150),
    redisConnectTimeoutMs: r.read('REDIS_CONNECT_TIMEOUT_MS', integer(1, 60_000), 2000),
    redisAutoPipelining: r.read('REDIS_AUTO_PIPELINING', onOff, true),
    breakerFailureThreshold: r.read('BREAKER_FAILURE_THRESHOLD', integer(1, 1000), 5),
    breakerResetMs: r.read('BREAKER_RESET_MS', integer(1, 600_000), 2000),
    originTimeoutMs: r.read('ORIGIN_TIMEOUT_MS', integer(1, 120_000), 2000),
    originConnections: r.read('ORIGIN_CONNECTIONS', integer(1, 4096), 32),
    originHttpCache: r.read('ORIGIN_HTTP_CACHE', oneOf(ORIGIN_HTTP_CACHES), 'off'),
    trustProxy: r.read('TRUST_PROXY', trustList, 'loopback'),
    keepAliveTimeoutMs: r.read('KEEP_ALIVE_TIMEOUT_MS', integer(1000, 600_000), 72_000),
    shutdownTimeoutMs: r.read('SHUTDOWN_TIMEOUT_MS', integer(100, 600_000), 10_000),
    logRequests: r.read('LOG_REQUESTS', onOff, false),
    exposeBaseline: r.read('EXPOSE_BASELINE', onOff, false),
    logLevel: r.read('LOG_LEVEL', oneOf(LOG_LEVELS), 'info'),
    logPretty: r.read('LOG_PRETTY', onOff, false),
    naive: r.read('NAIVE', naiveList, Object.freeze([])),
    origin: {
      port: r.read('ORIGIN_PORT', integer(0, 65535), 4000),
      latencyMs: r.read('ORIGIN_LATENCY_MS', integer(0, 60_000), 80),
      jitterMs: r.read('ORIGIN_JITTER_MS', integer(0, 60_000), 20),
      errorRate: r.read('ORIGIN_ERROR_RATE', ratio, 0),
      bucketSeconds: r.read('ORIGIN_BUCKET_SECONDS', integer(1, 86_400), 600),
      maxAgeSeconds: r.read('ORIGIN_MAX_AGE_SECONDS', integer(0, 86_400 * 30), undefined),
      staleSeconds: r.read('ORIGIN_STALE_SECONDS', integer(0, 86_400 * 30), 0)
    }
  }
  if (usesRedis(cacheStrategy) && redis === undefined && env.CACHE_STRATEGY !== undefined) {
    r.errors.push(`  CACHE_STRATEGY=${cacheStrategy}: needs REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS`)
  }
  if (config.l1MaxEntryBytes > config.l1MaxBytes) {
    r.errors.push(`  L1_MAX_ENTRY_BYTES=${config.l1MaxEntryBytes}: must not exceed L1_MAX_BYTES=${config.l1MaxBytes}`)
  }
  config.metricsHost = r.read('METRICS_HOST', text, config.host)
  config.lockWaitMs = r.read('LOCK_WAIT_MS', integer(1, 600_000), config.originTimeoutMs + 500)
  if (r.errors.length > 0) throw new ConfigInvalidError(r.errors.join('\n'))
  Object.freeze(config.origin)
  return Object.freeze(config)
}

/** Whether a strategy needs Redis to answer from L2. */
export function usesRedis (strategy: CacheStrategyName): boolean {
  return strategy !== 'none' && strategy !== 'memory'
}
