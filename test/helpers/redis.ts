// A real redis-server per test file, on a free port, and clients configured like the service's.
import type { Redis } from 'ioredis'
import { createRedisClient } from '../../src/redis.js'
import { startRedisServer, type RedisServer } from '../../src/stack/redis-server.js'
import { silentLogger } from './fixtures.js'

export { startRedisServer, type RedisServer }

export function serviceRedisClient (url: string, overrides: { commandTimeoutMs?: number } = {}): Redis {
  // A single-node target always yields a Redis (not a Cluster).
  return createRedisClient({ redis: { kind: 'single', url }, redisCommandTimeoutMs: overrides.commandTimeoutMs ?? 150, redisConnectTimeoutMs: 1000 }, silentLogger()) as Redis
}

export async function waitFor (predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
