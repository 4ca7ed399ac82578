// A real Sentinel-managed Redis on loopback: one primary, one replica and three sentinels
// (Debian's redis-sentinel), so that the service's REDIS_SENTINELS support is exercised against
// the real failover protocol: the primary killed, the sentinels agree it is down (quorum 2),
// promote the replica, and clients asking the sentinels find the new primary.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { requireBinary } from './binaries.js'
import { freePort } from './free-port.js'
import { startRedisServer, type RedisServer } from './redis-server.js'

export interface RedisSentinelOptions {
  /** The monitored primary's name (REDIS_SENTINEL_NAME). @default 'mymaster' */
  name?: string
  /** How long the primary may be unreachable before a sentinel calls it down, ms. @default 1000 */
  downAfterMs?: number
  /** @default 3 */
  sentinels?: number
}

export interface RedisSentinelGroup {
  readonly name: string
  /** For REDIS_SENTINELS: `127.0.0.1:s1,127.0.0.1:s2,…`. */
  readonly seeds: string
  /** The data nodes, primary first as started (after a failover the roles have changed). */
  readonly nodes: readonly RedisServer[]
  /** The port of the primary the sentinels name now. */
  primaryPort (): Promise<number>
  /** Resolves once every sentinel names a primary other than `port` (a failover happened). */
  waitForFailover (fromPort: number, timeoutMs?: number): Promise<number>
  stop (): Promise<void>
}

async function ask<T> (port: number, command: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
  client.on('error', () => {})
  try {
    await client.connect()
    return await command(client)
  } finally {
    client.disconnect()
  }
}

async function until (what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      if (await check()) return
    } catch (err) {
      last = err
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last === undefined ? '' : `: ${String(last)}`}`)
}

export async function startRedisSentinel (options: RedisSentinelOptions = {}): Promise<RedisSentinelGroup> {
  const { name = 'mymaster', downAfterMs = 1000, sentinels: count = 3 } = options
  const bin = requireBinary('redis-sentinel')
  const dir = await mkdtemp(join(tmpdir(), 'cachestack-sentinel-'))
  const nodes: RedisServer[] = []
  const sentinels: ChildProcess[] = []
  const stop = async (): Promise<void> => {
    for (const child of sentinels) child.kill('SIGKILL')
    await Promise.allSettled(nodes.map((node) => node.kill()))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const primary = await startRedisServer()
    nodes.push(primary)
    nodes.push(await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] }))
    await until('the replica syncing', 10_000, async () => (await ask(nodes[1]!.port, (c) => c.info('replication'))).includes('master_link_status:up'))
    const ports: number[] = []
    for (let i = 0; i < count; i++) {
      const port = await freePort()
      ports.push(port)
      // Sentinel rewrites its own file (what it learns of replicas and peers): one each.
      const file = join(dir, `sentinel-${port}.conf`)
      await writeFile(file, [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
        `sentinel failover-timeout ${name} ${Math.max(3000, downAfterMs * 3)}`,
        `sentinel parallel-syncs ${name} 1`,
        ''
      ].join('\n'))
      sentinels.push(spawn(bin, [file], { stdio: ['ignore', 'ignore', 'inherit'] }))
    }
    // Ready when every sentinel knows the replica and the other sentinels.
    for (const port of ports) {
      await until(`sentinel ${port} to see its peers`, 15_000, async () => ask(port, async (c) => {
        const peers = await c.call('SENTINEL', 'SENTINELS', name) as unknown[]
        const replicas = await c.call('SENTINEL', 'REPLICAS', name) as unknown[]
        return peers.length === count - 1 && replicas.length >= 1
      }))
    }
    const primaryPort = async (): Promise<number> => {
      const [, port] = await ask(ports[0]!, (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string]
      return Number(port)
    }
    return {
      name,
      seeds: ports.map((port) => `127.0.0.1:${port}`).join(','),
      nodes,
      primaryPort,
      async waitForFailover (fromPort, timeoutMs = 20_000) {
        let now = fromPort
        await until(`a failover away from ${fromPort}`, timeoutMs, async () => {
          const named = await Promise.all(ports.map((port) =>
            ask(port, (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as Promise<[string, string]>))
          now = Number(named[0]![1])
          return named.every(([, port]) => Number(port) !== fromPort && Number(port) === now)
        })
        return now
      },
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}
