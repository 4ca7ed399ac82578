// A real redis-server on loopback, for `npm run stack` and for the tests: no persistence,
// bounded memory with LRU eviction (what a cache needs), killable to inject faults.
import { spawn, type ChildProcess } from 'node:child_process'
import { tmpdir } from 'node:os'
import { Redis } from 'ioredis'
import { freePort } from './free-port.js'
import { requireBinary } from './binaries.js'

export interface RedisServerOptions {
  port?: number
  maxMemory?: string
  /** Extra `--option value` pairs. */
  args?: string[]
}

export interface RedisServer {
  readonly port: number
  readonly url: string
  readonly process: ChildProcess
  /** SIGKILL, as a crash would. */
  kill (): Promise<void>
  /** Graceful stop. */
  stop (): Promise<void>
  /** A new server on the same port (after kill/stop). */
  restart (): Promise<RedisServer>
}

function waitForExit (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise(resolve => child.once('exit', () => resolve()))
}

async function waitForPing (port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} (port ${port} in use?)`)
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
    client.on('error', () => {})
    try {
      await client.connect()
      if (await client.ping() === 'PONG') return
    } catch (err) {
      lastError = err
    } finally {
      client.disconnect()
    }
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms: ${String(lastError)}`)
}

export async function startRedisServer (options: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = requireBinary('redis-server')
  const port = options.port ?? await freePort()
  const child = spawn(bin, [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--maxmemory', options.maxMemory ?? '256mb',
    '--maxmemory-policy', 'allkeys-lru',
    // A replica still writes the snapshot it syncs from: into the temp dir, never the cwd.
    '--dir', tmpdir(),
    '--dbfilename', `cachestack-redis-${port}.rdb`,
    '--loglevel', 'warning',
    ...(options.args ?? [])
  ], { stdio: ['ignore', 'ignore', 'inherit'] })
  try {
    await waitForPing(port, child, 10_000)
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async kill () {
      child.kill('SIGKILL')
      await waitForExit(child)
    },
    async stop () {
      child.kill('SIGTERM')
      await waitForExit(child)
    },
    restart: () => startRedisServer({ ...options, port })
  }
  return server
}
