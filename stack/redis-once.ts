// One short-lived Redis connection for one question (a PING, an INFO, CLUSTER SLOTS) from the
// tools and their tests: connected, asked, dropped, never retried.
import { Redis } from 'ioredis'

export interface RedisOnceOptions {
  /** Bound on connecting and on each command, ms. @default ioredis' own (no command bound) */
  timeoutMs?: number
}

/** Runs `ask` on a fresh connection to a node (a URL, or a loopback port), then disconnects. */
export async function withRedis<T> (node: string | number, ask: (client: Redis) => Promise<T>, { timeoutMs }: RedisOnceOptions = {}): Promise<T> {
  const options = {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(timeoutMs === undefined ? {} : { connectTimeout: timeoutMs, commandTimeout: timeoutMs })
  }
  const client = typeof node === 'number' ? new Redis({ ...options, port: node, host: '127.0.0.1' }) : new Redis(node, options)
  client.on('error', () => {})
  try {
    await client.connect()
    return await ask(client)
  } finally {
    client.disconnect()
  }
}

/** Whether a Redis URL answers PING (bounded). */
export function redisAnswers (url: string, timeoutMs = 1000): Promise<boolean> {
  return withRedis(url, async (client) => await client.ping() === 'PONG', { timeoutMs }).catch(() => false)
}
