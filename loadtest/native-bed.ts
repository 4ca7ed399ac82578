// The native topology (nginx → cluster → Redis, origin), started and reconfigured by the load
// test itself through src/stack's startStack: every target is measured on the same machine,
// in the same run, against the same processes.
import type { CacheStrategyName } from '../src/config.js'
import type { TargetName } from './options.js'
import { waitUntilUp } from './probes.js'
import { APP_INSTANCES, type RedisTopology, type ShardKeys } from './redis-topology.js'
import type { Endpoints, PrepareOptions, TestBed } from './test-bed.js'

/** The part of src/stack/stack.ts's Stack the load test uses. */
export interface NativeStack {
  readonly urls: { nginx: string, app: string, apps?: readonly string[], metricsAll: readonly string[], origin: string, redis?: string }
  readonly pids: { nginx: number, app: number, origin: number, redis?: number }
  readonly redisCluster?: { describe (): Promise<ShardKeys[]> }
  restartApp (options: { strategy?: CacheStrategyName, workers?: number, appEnv?: Record<string, string> }): Promise<void>
  flushRedis (): Promise<void>
  stop (): Promise<void>
}

export interface NativeStackOptions {
  strategy?: CacheStrategyName
  workers?: number
  edgeCache?: boolean
  redis?: boolean | RedisTopology
  appInstances?: number
  rateLimit?: false
  accessLog?: boolean
  appEnv?: Record<string, string>
  logLevel?: string
  forwardOutput?: boolean
}

export type StartStack = (options: NativeStackOptions) => Promise<NativeStack>

export interface NativeBedOptions {
  startStack: StartStack
  workers: number
  edgeStrategy: CacheStrategyName
  /** L2 of the stacks: one redis-server and one app instance, or a Redis Cluster (3 masters +
   * 3 replicas) and 2 app instances behind nginx. @default 'single' */
  redis?: RedisTopology
  /** Bound on an app becoming ready after a (re)start. @default 30_000 */
  readyTimeoutMs?: number
  /** Narration (start and restart times). */
  onNote?: (line: string) => void
}

// The baseline route is opt-in; logs at warn keep 2 cores for the load, not for log lines.
const APP_ENV: Readonly<Record<string, string>> = Object.freeze({ EXPOSE_BASELINE: 'true', LOG_LEVEL: 'warn' })

/** The app strategy, edge tier and app environment behind a target. */
export function targetConfiguration (
  target: TargetName,
  edgeStrategy: CacheStrategyName
): { strategy: CacheStrategyName, edgeCache: boolean, appEnv: Readonly<Record<string, string>> } {
  if (target === 'baseline') return { strategy: 'none', edgeCache: false, appEnv: {} }
  if (target === 'edge') return { strategy: edgeStrategy, edgeCache: true, appEnv: {} }
  // s-maxage at its maximum: shared caches keep an answer for all its freshness (max-age).
  if (target === 'edge-ttl') return { strategy: edgeStrategy, edgeCache: true, appEnv: { SHARED_MAX_AGE_SECONDS: String(86_400 * 30) } }
  return { strategy: target, edgeCache: false, appEnv: {} }
}

/** A scenario environment as one comparable string (key order does not matter). */
const envKey = (env: Readonly<Record<string, string>>): string => JSON.stringify(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

const describeEnv = (env: Readonly<Record<string, string>>): string => {
  const entries = Object.entries(env)
  return entries.length === 0 ? '' : `, ${entries.map(([k, v]) => `${k}=${v}`).join(' ')}`
}

/** Whether a strategy keeps state a fresh repetition must not inherit. */
const hasCache = (strategy: CacheStrategyName): boolean => strategy !== 'none'

interface Slot {
  stack: NativeStack
  strategy: CacheStrategyName
  /** The scenario environment it runs with (envKey). */
  env: string
  /** Load has been sent since it was (re)started. */
  used: boolean
}

export function createNativeBed (options: NativeBedOptions): TestBed {
  const { startStack, workers, edgeStrategy, redis = 'single', readyTimeoutMs = 30_000, onNote = () => {} } = options
  const onCluster = redis === 'cluster' ? ' on the Redis Cluster' : ''
  // Two stacks at most: one without and one with the edge tier. Both idle cost no CPU, and
  // switching between them is free, where a restart costs seconds of city loading.
  const slots = new Map<boolean, Slot>()
  const starting = new Map<boolean, Promise<Slot>>()

  async function start (edgeCache: boolean, strategy: CacheStrategyName, scenarioEnv: Readonly<Record<string, string>> = {}): Promise<Slot> {
    const began = Date.now()
    // Per-client rate limiting and the access log would measure nginx's defences, not the caches.
    // The children's log lines would tear through the progress bars; a start failure still
    // carries the app's last output in its error.
    const stack = await startStack({
      strategy,
      workers,
      edgeCache,
      redis,
      appInstances: APP_INSTANCES[redis],
      rateLimit: false,
      accessLog: false,
      appEnv: { ...scenarioEnv, ...APP_ENV },
      logLevel: 'warn',
      forwardOutput: false
    })
    onNote(`  started the ${edgeCache ? 'edge ' : ''}stack${onCluster} (${strategy}${describeEnv(scenarioEnv)}) ` +
      `in ${((Date.now() - began) / 1000).toFixed(1)} s`)
    const slot = { stack, strategy, env: envKey(scenarioEnv), used: false }
    slots.set(edgeCache, slot)
    return slot
  }

  async function slotFor (edgeCache: boolean, strategy: CacheStrategyName): Promise<Slot> {
    const pending = starting.get(edgeCache)
    if (pending !== undefined) {
      starting.delete(edgeCache)
      await pending
    }
    return slots.get(edgeCache) ?? await start(edgeCache, strategy)
  }

  return {
    mode: 'native',
    workers,
    warnings: [],
    async begin (targets: readonly TargetName[]): Promise<void> {
      // Start every stack the run needs at once, before any measurement. Idempotent: main
      // calls it early (to overlap with loading the cities), the runner again to wait for it.
      for (const target of targets) {
        const config = targetConfiguration(target, edgeStrategy)
        if (!slots.has(config.edgeCache) && !starting.has(config.edgeCache)) starting.set(config.edgeCache, start(config.edgeCache, config.strategy))
      }
      await Promise.all(starting.values())
      starting.clear()
    },
    async prepare (target: TargetName, { fresh, cold, appEnv: scenarioEnv = {} }: PrepareOptions): Promise<Endpoints> {
      const wanted = targetConfiguration(target, edgeStrategy)
      const appEnv = { ...scenarioEnv, ...wanted.appEnv }
      let slot = await slotFor(wanted.edgeCache, wanted.strategy)
      const env = envKey(appEnv)
      if (wanted.edgeCache) {
        // A new stack is the only way to empty nginx's proxy_cache.
        if ((fresh && slot.used) || slot.strategy !== wanted.strategy || slot.env !== env) {
          await slot.stack.stop()
          slots.delete(true)
          slot = await start(true, wanted.strategy, appEnv)
        }
      } else if (slot.strategy !== wanted.strategy || slot.env !== env || cold || (fresh && slot.used && hasCache(wanted.strategy))) {
        const began = Date.now()
        // The scenario's variables first: the harness's own (baseline route, log level) always hold.
        await slot.stack.restartApp({ strategy: wanted.strategy, workers, appEnv: { ...appEnv, ...APP_ENV } })
        await slot.stack.flushRedis()
        onNote(`  restarted the app${onCluster} (${wanted.strategy}${describeEnv(appEnv)}) in ${((Date.now() - began) / 1000).toFixed(1)} s`)
        slot.strategy = wanted.strategy
        slot.env = env
      }
      slot.used = true
      const { stack } = slot
      await waitUntilUp(`${stack.urls.app}/ready`, readyTimeoutMs)
      return {
        loadUrl: stack.urls.nginx.replace(/\/$/, ''),
        metricsUrl: stack.urls.metricsAll.join(' '),
        originStatsUrl: `${stack.urls.origin.replace(/\/$/, '')}/stats`,
        pids: { app: stack.pids.app, nginx: stack.pids.nginx, redis: stack.pids.redis ?? null, origin: stack.pids.origin },
        edgeCache: wanted.edgeCache,
        strategy: wanted.strategy,
        ...(stack.redisCluster === undefined ? {} : { redisShards: () => stack.redisCluster!.describe() })
      }
    },
    async close () {
      await Promise.allSettled([...starting.values()])
      const all = [...slots.values()]
      slots.clear()
      const outcomes = await Promise.allSettled(all.map((slot) => slot.stack.stop()))
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    }
  }
}
