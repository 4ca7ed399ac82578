// @keyv/redis (cache-manager's Redis store) is built on node-redis, not ioredis. Its client is
// configured from ours, so it reaches the same server with the same bounds: the command timeout,
// the connect timeout, no offline queue, the same reconnect back-off.
import type { RedisClientOptions } from '@keyv/redis'
import { Redis } from 'ioredis'
import { ConfigInvalidError } from '../../errors.js'
import type { RedisClient } from '../../redis.js'

const reconnect = (retries: number): number => Math.min(50 * 2 ** Math.min(retries, 6), 2000)

/** node-redis options equivalent to a single-node ioredis client's. */
export function nodeRedisOptionsOf (redis: RedisClient, name: string): RedisClientOptions {
  if (!(redis instanceof Redis) || (redis.options.sentinels?.length ?? 0) > 0) {
    throw new ConfigInvalidError('  CACHE_STRATEGY=peer-cache-manager: supported with a single Redis node (REDIS_URL) only')
  }
  const o = redis.options
  return {
    socket: {
      host: o.host,
      port: o.port,
      ...(o.connectTimeout === undefined ? {} : { connectTimeout: o.connectTimeout }),
      reconnectStrategy: reconnect,
      ...(o.tls === undefined ? {} : { tls: true, ...o.tls })
    },
    ...(o.username === undefined ? {} : { username: o.username }),
    ...(o.password === undefined ? {} : { password: o.password }),
    ...(o.db === undefined ? {} : { database: o.db }),
    disableOfflineQueue: o.enableOfflineQueue === false,
    ...(o.commandTimeout === undefined ? {} : { commandOptions: { timeout: o.commandTimeout } }),
    name
  }
}
