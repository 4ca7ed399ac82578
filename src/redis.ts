// One factory for the ioredis client, whatever the topology (one node, Cluster, Sentinel),
// configured for the request path: fail fast instead of queueing while disconnected, bound
// every command, reconnect forever in the background.
import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { Logger } from 'pino'
import type { RedisConfig, RedisTarget } from './config.js'

/** The engine only uses commands both clients share: single-key commands, scripts, pub/sub. */
export type RedisClient = Redis | Cluster

/** The Redis group (config.redis) with its target known. */
export type RedisClientConfig =
  & Pick<RedisConfig, 'commandTimeoutMs' | 'connectTimeoutMs'>
  & Partial<Pick<RedisConfig, 'autoPipelining'>>
  & { readonly target: RedisTarget }

const reconnect = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 6), 2000)

export function createRedisClient (config: RedisClientConfig, logger: Logger, { subscriber = false } = {}): RedisClient {
  const options: RedisOptions = subscriber
    ? {
        // The bus connection is off the request path: it may queue its SUBSCRIBE until connected.
        connectTimeout: config.connectTimeoutMs,
        connectionName: 'cachestack-bus'
      }
    : {
        // Requests must not wait for a reconnect: a disconnected client rejects at once,
        // and the engine falls back to the origin.
        commandTimeout: config.commandTimeoutMs,
        connectTimeout: config.connectTimeoutMs,
        maxRetriesPerRequest: 0,
        connectionName: 'cachestack'
      }
  const target = config.target
  // Auto-pipelining batches commands per node; on a Cluster, a MOVED reply inside such a batch
  // reaches the caller instead of being followed, so there it stays off. REDIS_AUTO_PIPELINING=false
  // turns it off elsewhere too (the optimization ladder measures what it saves).
  const queue = { enableOfflineQueue: subscriber, enableAutoPipelining: !subscriber && target.kind !== 'cluster' && config.autoPipelining !== false }
  const client: RedisClient = target.kind === 'cluster'
    ? new Cluster(target.nodes.map(({ host, port }) => ({ host, port })), {
      ...queue,
      redisOptions: options,
      clusterRetryStrategy: reconnect,
      // Follow a failover quickly; MOVED/ASK redirections are followed by ioredis itself.
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      slotsRefreshTimeout: config.connectTimeoutMs
    })
    : target.kind === 'sentinel'
      ? new Redis({
        ...options,
        ...queue,
        sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
        name: target.name,
        retryStrategy: reconnect,
        sentinelRetryStrategy: reconnect
      })
      : new Redis(target.url, { ...options, ...queue, retryStrategy: reconnect })
  let lastError = ''
  client.on('error', (err: Error) => {
    // Each reconnect attempt errors again; log a failure once, not once per attempt.
    if (err.message !== lastError) logger.warn({ err, topology: target.kind }, 'redis error')
    lastError = err.message
  })
  client.on('ready', () => {
    if (lastError !== '') logger.info({ topology: target.kind }, 'redis connection restored')
    lastError = ''
  })
  return client
}
