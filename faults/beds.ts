// The topologies the faults run on, each started through startStack() (nginx → 1 app instance,
// 2 workers, strategy layered) with the fault proxy between the app and the provider:
//   single   — one redis-server (the stack restarts it when it dies)
//   cluster  — a Redis Cluster, 3 masters + 3 replicas
//   sentinel — Debian's redis-sentinel: one primary, one replica, three sentinels; the app on
//              REDIS_SENTINELS (the stack runs no Redis of its own)
import { fileURLToPath } from 'node:url'
import { freePort } from '../stack/free-port.js'
import { spawnManaged, type ManagedProcess } from '../stack/managed-process.js'
import { startRedisSentinel, type RedisSentinelGroup } from '../stack/redis-sentinel.js'
import { startStack, type Stack } from '../stack/stack.js'
import { waitForHttp } from '../stack/wait-for-http.js'
import { startFaultProxy, type FaultProxy } from './fault-proxy.js'

export const BED_KINDS = ['single', 'cluster', 'sentinel'] as const
export type BedKind = typeof BED_KINDS[number]

const ORIGIN_SCRIPT = fileURLToPath(new URL('../src/origin/main.js', import.meta.url))

export interface BedSettings {
  /** Extra app environment (TTL, grace, timeouts), the same on every bed. */
  appEnv: Record<string, string>
  /** Extra provider environment (latency). */
  originEnv: Record<string, string>
  /** @default 2 */
  workers?: number
  /** What the stack and the matrix have to say (redis-server died, restarted). */
  onNote: (message: string) => void
}

export interface FaultBed {
  readonly kind: BedKind
  readonly stack: Stack
  /** Between the app and the provider: provider faults are its modes. */
  readonly proxy: FaultProxy
  readonly sentinel?: RedisSentinelGroup
  /** The provider's own URL (its /stats), whichever process serves it now. */
  readonly originUrl: string
  /** The app's ORIGIN_TIMEOUT_MS and REDIS_COMMAND_TIMEOUT_MS, as the bed set them. */
  readonly appEnv: Readonly<Record<string, string>>
  /** Provider processes started since the bed was (its /stats counter restarts with each). */
  readonly providerGeneration: number
  /** SIGKILL to the provider (the stack's, or one restarted here). */
  killProvider (): void
  /** A new provider process on the same port, ready when this resolves. */
  restartProvider (): Promise<void>
  stop (): Promise<void>
}

function childEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  delete env.NODE_TEST_CONTEXT // a child is not a test file
  return env
}

export async function startBed (kind: BedKind, settings: BedSettings): Promise<FaultBed> {
  const { appEnv, originEnv, workers = 2, onNote } = settings
  const originPort = await freePort()
  const originUrl = `http://127.0.0.1:${originPort}`
  const proxy = await startFaultProxy({ target: originUrl })
  let sentinel: RedisSentinelGroup | undefined
  let stack: Stack | undefined
  let replacement: ManagedProcess | undefined
  let generation = 0
  try {
    if (kind === 'sentinel') sentinel = await startRedisSentinel()
    const redisEnv: Record<string, string> = sentinel === undefined ? {} : { REDIS_SENTINELS: sentinel.seeds, REDIS_SENTINEL_NAME: sentinel.name }
    stack = await startStack({
      strategy: 'layered',
      workers,
      redis: kind === 'sentinel' ? false : kind,
      appInstances: 1,
      originPort,
      appOriginUrl: proxy.url,
      // DEBUG SLEEP for the slow-Redis fault (Redis 7 refuses DEBUG by default); loopback clients only.
      ...(kind === 'single' ? { redisArgs: ['--enable-debug-command', 'local'] } : {}),
      rateLimit: false,
      accessLog: false,
      forwardOutput: false,
      logLevel: 'error',
      appEnv: { ...appEnv, ...redisEnv },
      originEnv,
      onNote
    })
  } catch (err) {
    await stack?.stop().catch(() => {})
    await sentinel?.stop().catch(() => {})
    await proxy.close()
    throw err
  }
  const started = stack
  return {
    kind,
    stack: started,
    proxy,
    ...(sentinel === undefined ? {} : { sentinel }),
    originUrl,
    appEnv,
    get providerGeneration () { return generation },
    killProvider () {
      if (replacement !== undefined) replacement.killNow()
      else process.kill(started.pids.origin, 'SIGKILL')
    },
    async restartProvider () {
      await replacement?.stop()
      generation++
      replacement = spawnManaged({
        name: 'origin (restarted by the fault matrix)',
        command: process.execPath,
        args: [ORIGIN_SCRIPT],
        env: childEnv({ LOG_LEVEL: 'error', ...originEnv, ORIGIN_PORT: String(originPort), HOST: '127.0.0.1' }),
        forwardOutput: false
      })
      await waitForHttp(`${originUrl}/health`, { timeoutMs: 30_000, process: replacement })
    },
    async stop () {
      // The app first (it calls the provider through the proxy), then the proxy (its kept-alive
      // connections would hold a provider's graceful stop open), then what is left.
      const outcomes = await Promise.allSettled([started.stop()])
      await proxy.close()
      outcomes.push(...await Promise.allSettled([replacement?.stop(), sentinel?.stop()]))
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    }
  }
}
