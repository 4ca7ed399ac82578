// One factory for the ioredis client, configured for the request path: fail fast instead of
// queueing while disconnected, bound every command, reconnect forever in the background.
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from './config.js'

export type RedisClientConfig = Pick<Config, 'redisCommandTimeoutMs' | 'redisConnectTimeoutMs'> & { redisUrl: string }

export function createRedisClient (config: RedisClientConfig, logger: Logger, { subscriber = false } = {}): Redis {
  const redis = new Redis(config.redisUrl, subscriber
    ? {
        // The bus connection is off the request path: it may queue its SUBSCRIBE until connected.
        connectTimeout: config.redisConnectTimeoutMs,
        retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
        connectionName: 'cachestack-bus'
      }
    : {
        // Requests must not wait for a reconnect: a disconnected client rejects at once,
        // and the engine falls back to the origin.
        enableOfflineQueue: false,
        commandTimeout: config.redisCommandTimeoutMs,
        connectTimeout: config.redisConnectTimeoutMs,
        maxRetriesPerRequest: 0,
        enableAutoPipelining: true,
        retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
        connectionName: 'cachestack'
      })
  let lastError = ''
  redis.on('error', (err: Error) => {
    // Each reconnect attempt errors again; log a failure once, not once per attempt.
    if (err.message !== lastError) logger.warn({ err }, 'redis error')
    lastError = err.message
  })
  redis.on('ready', () => {
    if (lastError !== '') logger.info('redis connection restored')
    lastError = ''
  })
  return redis
}
