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
  | { readonly kind: 'single', readonly url: string }
  | { readonly kind: 'cluster', readonly nodes: ReadonlyArray<{ readonly host: string, readonly port: number }> }
  | { readonly kind: 'sentinel', readonly sentinels: ReadonlyArray<{ readonly host: string, readonly port: number }>, readonly name: string }

/** The public HTTP listener every worker shares. */
export interface HttpConfig {
  /** HTTP port of the service. @default 3000 */
  readonly port: number
  /** Interface to listen on (the simulated provider's too). @default '127.0.0.1' (use 0.0.0.0 in containers) */
  readonly host: string
  /**
   * Which peers may set X-Forwarded-For (request.ip): proxy-addr names (loopback, linklocal,
   * uniquelocal), addresses or CIDRs, comma-separated; 'false' trusts nobody. @default 'loopback' (nginx on the same host)
   */
  readonly trustProxy: string | false
  /** Idle keep-alive of client connections, ms; above nginx's upstream keepalive_timeout (60s). @default 72_000 */
  readonly keepAliveTimeoutMs: number
  /** Serve GET /baseline/:city, a constant answer of a report's size: the load tests' "limit" target. @default false */
  readonly exposeBaseline: boolean
}

/** The internal metrics listener: the primary's `/metrics`, aggregated over every worker. Never
 * the public port: nginx does not proxy it and compose does not publish it. */
export interface MetricsConfig {
  /** Port of the metrics listener. @default 9464 */
  readonly port: number
  /** Interface of the metrics listener. @default HOST */
  readonly host: string
}

/** The primary and its workers. */
export interface ClusterConfig {
  /** Cluster workers. @default os.availableParallelism() */
  readonly workers: number
  /** Bound on a graceful shutdown (the primary's, and each worker's drain), ms. @default 10_000 */
  readonly shutdownTimeoutMs: number
}

/** L1, the in-process cache of each worker. */
export interface L1Config {
  /** L1 bound by entry count. @default 10_000 */
  readonly maxEntries: number
  /** L1 bound by bytes of stored JSON. @default 64 MiB */
  readonly maxBytes: number
  /** Largest single answer L1 keeps, bytes. @default 1 MiB */
  readonly maxEntryBytes: number
  /** Which records L1 keeps when full: S3-FIFO by default, the study's choice (docs/caching-policies.md). @default 's3fifo' */
  readonly policy: L1PolicyName
  /**
   * How L1 copies are kept coherent: 'pubsub' — our own messages on a channel ("filled", "invalidate");
   * 'tracking' — Redis reports every write under the key prefix itself (CLIENT TRACKING, broadcast
   * mode), whoever wrote it; needs Redis >= 6. docs/scaling.md compares the two. @default 'pubsub'
   */
  readonly invalidation: L1InvalidationMode
}

/** What is cached, for how long, and who may purge it. */
export interface CacheConfig {
  /** Which cache layers answer. @default 'layered' with REDIS_URL, else 'memory' */
  readonly strategy: CacheStrategyName
  /** Fresh lifetime (logical TTL) of a cached answer, ms. @default 300_000 (CACHE_TTL_SECONDS=300) */
  readonly ttlMs: number
  /** After freshness, served stale while refreshing or while the origin fails, ms; Redis keeps fresh + grace. @default 600_000 */
  readonly graceMs: number
  /** Fresh lifetimes are shortened at random by up to this share, so keys filled together expire apart. @default 0.1 */
  readonly ttlJitter: number
  /** The longest a shared cache (nginx's edge tier, a CDN) may keep an answer before asking again,
   * s: `s-maxage` (RFC 9111 §5.2.2.10). A purge cannot reach a shared cache, so this bounds how long
   * one serves a purged answer. Browsers still get the full `max-age`. @default 2 */
  readonly sharedMaxAgeSeconds: number
  /** How long an id the provider does not know is remembered, ms. @default 30_000 */
  readonly negativeTtlMs: number
  /** XFetch's beta for the 'layered-xfetch' strategy (refresh early with probability growing near expiry). @default 1 */
  readonly xfetchBeta: number
  /** Longest wait for another process's fill of a key before calling the origin ourselves, ms. @default ORIGIN_TIMEOUT_MS + 500 */
  readonly lockWaitMs: number
  /** Bearer token that authorizes DELETE /weather/:city; unset = purging disabled (401). */
  readonly purgeToken: string | undefined
  readonly l1: L1Config
}

/** The L2 circuit breaker: L2 failing, requests go to L1 and the origin without waiting on Redis. */
export interface BreakerConfig {
  /** Consecutive L2 failures that open the circuit breaker. @default 5 */
  readonly failureThreshold: number
  /** How long the breaker stays open before one half-open probe, ms. @default 2000 */
  readonly resetMs: number
}

/** L2: where Redis is and how it is used. */
export interface RedisConfig {
  /**
   * The L2 topology, from exactly one of REDIS_URL, REDIS_CLUSTER_NODES (comma-separated
   * host:port seeds) or REDIS_SENTINELS (host:port list, with REDIS_SENTINEL_NAME).
   * Required by every strategy but 'none' and 'memory'.
   */
  readonly target: RedisTarget | undefined
  /** Key namespace in Redis: keys are `<ns>:<version>:<city id>`. @default 'weather' */
  readonly keyPrefix: string
  /** Bound on one Redis command on the request path, ms. @default 150 */
  readonly commandTimeoutMs: number
  /** Bound on connecting to Redis, ms. @default 2000 */
  readonly connectTimeoutMs: number
  /**
   * ioredis auto-pipelining: commands issued in the same tick share one write (never on a
   * Cluster). Off only to measure what it saves (the optimization ladder). @default true
   */
  readonly autoPipelining: boolean
  readonly breaker: BreakerConfig
}

/** The simulated weather provider (src/origin/): what `npm run origin` serves, and `npm start`
 * embeds when ORIGIN_URL is unset. */
export interface OriginSimulationConfig {
  /** Port of the simulated provider (`npm run origin`, or embedded by `npm start`). @default 4000 */
  readonly port: number
  /** Mean latency of one weather answer, ms. @default 80 */
  readonly latencyMs: number
  /** Uniform jitter around the mean latency, ± ms. @default 20 */
  readonly jitterMs: number
  /** Share of weather answers that fail with 503, 0..1. @default 0 */
  readonly errorRate: number
  /** Weather is deterministic per city and per time bucket of this many seconds. @default 600 */
  readonly bucketSeconds: number
  /** `Cache-Control: public, max-age=N` on every weather answer (RFC 9111 §5.2.2.1), for an HTTP
   * cache in front of the provider or in its client (the load tests' peers). @default undefined: no header */
  readonly maxAgeSeconds?: number | undefined
  /** With maxAgeSeconds: stale-while-revalidate and stale-if-error (RFC 5861) of this many seconds
   * in the same header; 0 adds neither. @default 0 */
  readonly staleSeconds?: number
}

/** The weather provider: where it is, how the workers call it, and how the simulated one behaves. */
export interface OriginConfig {
  /** The weather provider. Unset: `npm start` embeds the simulated one. */
  readonly url: string | undefined
  /** Bound on one origin request, ms. @default 2000 */
  readonly timeoutMs: number
  /** Keep-alive connections per worker to the origin. @default 32 */
  readonly connections: number
  /** undici's RFC 9111 cache interceptor on the origin client, bounded as L1 (L1_MAX_ENTRIES,
   * L1_MAX_BYTES, L1_MAX_ENTRY_BYTES) and honouring the provider's Cache-Control; with
   * CACHE_STRATEGY=none, the load tests' peer-undici-cache. @default 'off' */
  readonly httpCache: OriginHttpCache
  /** The simulated provider's own settings (ORIGIN_PORT, ORIGIN_LATENCY_MS, …). */
  readonly simulated: OriginSimulationConfig
}

export interface LogConfig {
  /** pino level. @default 'info' */
  readonly level: LogLevel
  /** Human-readable logs (npm run dev). @default false */
  readonly pretty: boolean
  /** Log every request (nginx keeps the access log in the full topology). @default false */
  readonly requests: boolean
}

/** Every setting of the service, grouped by concern; deeply frozen. */
export interface Config {
  readonly http: HttpConfig
  readonly metrics: MetricsConfig
  readonly cluster: ClusterConfig
  readonly cache: CacheConfig
  readonly redis: RedisConfig
  readonly origin: OriginConfig
  readonly log: LogConfig
  /**
   * Naive components swapped in for the optimization ladder, NAIVE=resolver,serialize,connection
   * (or all, none): a linear city scan, a report rebuilt, stringified and sent through Fastify's
   * router and reply per request (no hit fast path), a new origin connection per request. @default [] (none)
   */
  readonly naive: readonly NaiveComponent[]
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
  const target: RedisTarget | undefined = clusterNodes !== undefined
    ? { kind: 'cluster', nodes: clusterNodes }
    : sentinels !== undefined
      ? { kind: 'sentinel', sentinels, name: sentinelName }
      : redisUrl !== undefined ? { kind: 'single', url: redisUrl } : undefined
  const strategy = r.read('CACHE_STRATEGY', oneOf(CACHE_STRATEGIES), target === undefined ? 'memory' : 'layered')
  const http: HttpConfig = {
    port: r.read('PORT', integer(0, 65535), 3000),
    host: r.read('HOST', text, '127.0.0.1'),
    trustProxy: r.read('TRUST_PROXY', trustList, 'loopback'),
    keepAliveTimeoutMs: r.read('KEEP_ALIVE_TIMEOUT_MS', integer(1000, 600_000), 72_000),
    exposeBaseline: r.read('EXPOSE_BASELINE', onOff, false)
  }
  const metrics: MetricsConfig = {
    port: r.read('METRICS_PORT', integer(1, 65535), 9464),
    host: r.read('METRICS_HOST', text, http.host)
  }
  const cluster: ClusterConfig = {
    workers: r.read('WORKERS', integer(1, 256), availableParallelism()),
    shutdownTimeoutMs: r.read('SHUTDOWN_TIMEOUT_MS', integer(100, 600_000), 10_000)
  }
  const origin: OriginConfig = {
    url: r.read('ORIGIN_URL', url(['http:', 'https:']), undefined),
    timeoutMs: r.read('ORIGIN_TIMEOUT_MS', integer(1, 120_000), 2000),
    connections: r.read('ORIGIN_CONNECTIONS', integer(1, 4096), 32),
    httpCache: r.read('ORIGIN_HTTP_CACHE', oneOf(ORIGIN_HTTP_CACHES), 'off'),
    simulated: {
      port: r.read('ORIGIN_PORT', integer(0, 65535), 4000),
      latencyMs: r.read('ORIGIN_LATENCY_MS', integer(0, 60_000), 80),
      jitterMs: r.read('ORIGIN_JITTER_MS', integer(0, 60_000), 20),
      errorRate: r.read('ORIGIN_ERROR_RATE', ratio, 0),
      bucketSeconds: r.read('ORIGIN_BUCKET_SECONDS', integer(1, 86_400), 600),
      maxAgeSeconds: r.read('ORIGIN_MAX_AGE_SECONDS', integer(0, 86_400 * 30), undefined),
      staleSeconds: r.read('ORIGIN_STALE_SECONDS', integer(0, 86_400 * 30), 0)
    }
  }
  const cache: CacheConfig = {
    strategy,
    ttlMs: r.read('CACHE_TTL_SECONDS', integer(1, 86_400 * 30), 300) * 1000,
    graceMs: r.read('CACHE_GRACE_SECONDS', integer(0, 86_400 * 30), 600) * 1000,
    ttlJitter: r.read('CACHE_TTL_JITTER', fraction, 0.1),
    sharedMaxAgeSeconds: r.read('SHARED_MAX_AGE_SECONDS', integer(0, 86_400 * 30), DEFAULT_SHARED_MAX_AGE_SECONDS),
    negativeTtlMs: r.read('NEGATIVE_TTL_SECONDS', integer(0, 86_400), 30) * 1000,
    xfetchBeta: r.read('XFETCH_BETA', positive, 1),
    lockWaitMs: r.read('LOCK_WAIT_MS', integer(1, 600_000), origin.timeoutMs + 500),
    purgeToken: r.read('PURGE_TOKEN', token, undefined),
    l1: {
      maxEntries: r.read('L1_MAX_ENTRIES', integer(1, 10_000_000), 10_000),
      maxBytes: r.read('L1_MAX_BYTES', integer(1024, 2 ** 40), 64 * 1024 * 1024),
      maxEntryBytes: r.read('L1_MAX_ENTRY_BYTES', integer(64, 2 ** 30), 1024 * 1024),
      policy: r.read('L1_POLICY', oneOf(L1_POLICIES), 's3fifo'),
      invalidation: r.read('L1_INVALIDATION', oneOf(L1_INVALIDATION_MODES), 'pubsub')
    }
  }
  const redis: RedisConfig = {
    target,
    keyPrefix: r.read('REDIS_KEY_PREFIX', keyPrefix, 'weather'),
    commandTimeoutMs: r.read('REDIS_COMMAND_TIMEOUT_MS', integer(1, 60_000), 150),
    connectTimeoutMs: r.read('REDIS_CONNECT_TIMEOUT_MS', integer(1, 60_000), 2000),
    autoPipelining: r.read('REDIS_AUTO_PIPELINING', onOff, true),
    breaker: {
      failureThreshold: r.read('BREAKER_FAILURE_THRESHOLD', integer(1, 1000), 5),
      resetMs: r.read('BREAKER_RESET_MS', integer(1, 600_000), 2000)
    }
  }
  const log: LogConfig = {
    level: r.read('LOG_LEVEL', oneOf(LOG_LEVELS), 'info'),
    pretty: r.read('LOG_PRETTY', onOff, false),
    requests: r.read('LOG_REQUESTS', onOff, false)
  }
  const naive = r.read('NAIVE', naiveList, Object.freeze([]))
  if (usesRedis(strategy) && target === undefined && env.CACHE_STRATEGY !== undefined) {
    r.errors.push(`  CACHE_STRATEGY=${strategy}: needs REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS`)
  }
  if (cache.l1.maxEntryBytes > cache.l1.maxBytes) {
    r.errors.push(`  L1_MAX_ENTRY_BYTES=${cache.l1.maxEntryBytes}: must not exceed L1_MAX_BYTES=${cache.l1.maxBytes}`)
  }
  if (r.errors.length > 0) throw new ConfigInvalidError(r.errors.join('\n'))
  return deepFreeze({ http, metrics, cluster, cache, redis, origin, log, naive })
}

/** Freezes an object and every object or array it holds, once, at start-up. */
function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/** Whether a strategy needs Redis to answer from L2. */
export function usesRedis (strategy: CacheStrategyName): boolean {
  return strategy !== 'none' && strategy !== 'memory'
}
