import { after, before } from 'node:test'
// A real redis-server per test file, on a free port, and clients configured like the service's.
import type { Redis } from 'ioredis'
import { createRedisClient } from '../../src/redis.js'
import { startRedisServer, type RedisServer } from '../../stack/redis-server.js'
import { silentLogger } from './fixtures.js'

export { startRedisServer, type RedisServer }

export function serviceRedisClient (url: string, overrides: { commandTimeoutMs?: number } = {}): Redis {
  // A single-node target always yields a Redis (not a Cluster).
  return createRedisClient(
    { target: { kind: 'single', url }, commandTimeoutMs: overrides.commandTimeoutMs ?? 150, connectTimeoutMs: 1000 },
    silentLogger()
  ) as Redis
}

export async function waitFor (predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

export interface RedisBed {
  /** The file's redis-server (replaceable: a test may kill and restart it). */
  server: RedisServer
  /** A service-configured client, ready, disconnected after the file. */
  client (): Promise<Redis>
  /** Closed after the file (engines own their bus connection). */
  track<T extends { close (): Promise<void> }> (closable: T): T
}

/** One real redis-server for a test file: started before its tests, stopped after, with its clients. */
export function redisBed (): RedisBed {
  const clients: Redis[] = []
  const closables: Array<{ close (): Promise<void> }> = []
  const bed: RedisBed = {
    server: undefined as unknown as RedisServer,
    async client () {
      const redis = serviceRedisClient(bed.server.url)
      clients.push(redis)
      await waitFor(() => redis.status === 'ready', 5000, 'redis ready')
      return redis
    },
    track (closable) {
      closables.push(closable)
      return closable
    }
  }
  before(async () => { bed.server = await startRedisServer() })
  after(async () => {
    for (const closable of closables) await closable.close()
    for (const client of clients) client.disconnect()
    await bed.server.stop().catch(() => {})
  })
  return bed
}
