// The native topology (nginx → cluster → Redis, origin), started and reconfigured by the load
// test itself through stack/'s startStack: every target is measured on the same machine,
// in the same run, against the same processes. The peers (docs/peers.md) are assembled around
// the same parts: Varnish in front of the cache-less app, nginx alone in front of the provider,
// the cache-less app with undici's HTTP cache on its origin client.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CacheStrategyName } from '../../src/config.js'
import { freePort } from '../../stack/free-port.js'
import { startNginxOnly, type MappedCity, type NginxOnlySettings } from './peers/nginx-only.js'
import { lifetimesOf } from './lifetimes.js'
import type { PeerServer } from './peers/peer-server.js'
import { startVarnish, type VarnishSettings } from './peers/varnish.js'
import { waitUntilUp } from '../measure/probes.js'
import { startProviderProxy, type ProviderProxy } from './provider-proxy.js'
import type { RedisTopology, ShardKeys, TargetName } from '../targets.js'
import { APP_INSTANCES } from './topology-bed.js'
import type { Endpoints, PrepareOptions, PurgeOutcome, TestBed } from './test-bed.js'

/** The part of stack/stack.ts's Stack the load test uses. */
export interface NativeStack {
  readonly urls: { nginx: string, app: string, apps?: readonly string[], metricsAll: readonly string[], origin: string, redis?: string }
  readonly pids: { nginx: number, app: number, apps?: readonly number[], origin: number, redis?: number }
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
  originEnv?: Record<string, string>
  originPort?: number
  appOriginUrl?: string
  logLevel?: string
  forwardOutput?: boolean
}

export type StartStack = (options: NativeStackOptions) => Promise<NativeStack>

/** How the peers are started (injectable: tests stand in for Varnish and nginx). */
export interface PeerStarters {
  varnish: (settings: VarnishSettings) => Promise<PeerServer>
  nginxOnly: (settings: NginxOnlySettings) => Promise<PeerServer>
}

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
  /** The load test's provider proxy between every stack's provider and what calls it, for the
   * scenarios that act on the provider (origin-outage, purge). @default false */
  providerProxy?: boolean
  /** The run's cities, for peer-nginx-only's name → id map; called when that peer starts.
   * @default none: peer-nginx-only cannot start */
  peerCities?: () => readonly MappedCity[]
  /** @default the real Varnish and nginx */
  peers?: PeerStarters
}

// The baseline route is opt-in; logs at warn keep 2 cores for the load, not for log lines.
const APP_ENV: Readonly<Record<string, string>> = Object.freeze({ EXPOSE_BASELINE: 'true', LOG_LEVEL: 'warn' })

/** Which stack a target runs on: the plain one (strategies, Varnish, nginx alone), the one with
 * the edge tier, or the one whose provider sends Cache-Control (undici's HTTP cache). */
export type SlotKind = 'app' | 'edge' | 'http-cache'

export type PeerKind = 'varnish' | 'nginx-only' | 'undici-cache'

export interface TargetConfiguration {
  strategy: CacheStrategyName
  edgeCache: boolean
  appEnv: Readonly<Record<string, string>>
  slot: SlotKind
  /** A peer the bed assembles. @default undefined: our own service */
  peer?: PeerKind
}

/** The app strategy, edge tier, app environment, stack and peer behind a target. */
export function targetConfiguration (target: TargetName, edgeStrategy: CacheStrategyName): TargetConfiguration {
  switch (target) {
    case 'baseline':
      return { strategy: 'none', edgeCache: false, appEnv: {}, slot: 'app' }
    case 'edge':
      return { strategy: edgeStrategy, edgeCache: true, appEnv: {}, slot: 'edge' }
    // s-maxage at its maximum: shared caches keep an answer for all its freshness (max-age).
    case 'edge-ttl':
      return { strategy: edgeStrategy, edgeCache: true, appEnv: { SHARED_MAX_AGE_SECONDS: String(86_400 * 30) }, slot: 'edge' }
    // Varnish caches; the app behind it has no cache of its own.
    case 'peer-varnish':
      return { strategy: 'none', edgeCache: false, appEnv: {}, slot: 'app', peer: 'varnish' }
    // No app in the path at all: whatever the plain stack's app runs stays idle.
    case 'peer-nginx-only':
      return { strategy: 'none', edgeCache: false, appEnv: {}, slot: 'app', peer: 'nginx-only' }
    case 'peer-undici-cache':
      return { strategy: 'none', edgeCache: false, appEnv: { ORIGIN_HTTP_CACHE: 'memory' }, slot: 'http-cache', peer: 'undici-cache' }
    default:
      return { strategy: target, edgeCache: false, appEnv: {}, slot: 'app' }
  }
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
  proxy: ProviderProxy | undefined
}

/** A purge request, bounded; its status is the outcome (a refused purge is a result too). */
async function purgeRequest (url: string, init: RequestInit, method: string): Promise<PurgeOutcome> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) })
  await response.arrayBuffer()
  return { method, status: response.status }
}

export function createNativeBed (options: NativeBedOptions): TestBed {
  const {
    startStack, workers, edgeStrategy, redis = 'single', readyTimeoutMs = 30_000, onNote = () => {}, providerProxy = false, peerCities,
    peers = { varnish: (settings) => startVarnish(settings), nginxOnly: (settings) => startNginxOnly(settings) }
  } = options
  const onCluster = redis === 'cluster' ? ' on the Redis Cluster' : ''
  // One stack per slot kind at most: switching between them is free where a restart costs seconds
  // of city loading, and an idle one costs memory, not CPU.
  const slots = new Map<SlotKind, Slot>()
  const starting = new Map<SlotKind, Promise<Slot>>()
  // The peer server of the target being measured: a new one per run (an empty cache), stopped
  // before the next target is prepared.
  let peer: PeerServer | undefined
  let peerDir: string | undefined

  async function start (kind: SlotKind, strategy: CacheStrategyName, scenarioEnv: Readonly<Record<string, string>> = {}): Promise<Slot> {
    const began = Date.now()
    let proxy: ProviderProxy | undefined
    let originPort: number | undefined
    if (providerProxy) {
      originPort = await freePort()
      proxy = await startProviderProxy({ target: `http://127.0.0.1:${originPort}` })
    }
    // RFC 9111: the provider says how long its answer stays fresh, and its stale windows (RFC
    // 5861); undici's cache follows that, so it gets the engine's TTL and grace this way.
    const lifetimes = lifetimesOf(scenarioEnv)
    const originEnv: Record<string, string> = kind === 'http-cache'
      ? { ORIGIN_MAX_AGE_SECONDS: String(lifetimes.ttlSeconds), ORIGIN_STALE_SECONDS: String(lifetimes.graceSeconds) }
      : {}
    // Per-client rate limiting and the access log would measure nginx's defences, not the caches.
    // The children's log lines would tear through the progress bars; a start failure still
    // carries the app's last output in its error.
    let stack: NativeStack
    try {
      stack = await startStack({
        strategy,
        workers,
        edgeCache: kind === 'edge',
        redis,
        appInstances: APP_INSTANCES[redis],
        rateLimit: false,
        accessLog: false,
        appEnv: { ...scenarioEnv, ...APP_ENV },
        ...(Object.keys(originEnv).length === 0 ? {} : { originEnv }),
        ...(proxy === undefined ? {} : { originPort: originPort!, appOriginUrl: proxy.url }),
        logLevel: 'warn',
        forwardOutput: false
      })
    } catch (err) {
      await proxy?.close()
      throw err
    }
    const what = kind === 'edge' ? 'edge ' : kind === 'http-cache' ? 'HTTP-cache ' : ''
    onNote(`  started the ${what}stack${onCluster} (${strategy}${describeEnv(scenarioEnv)}) ` +
      `in ${((Date.now() - began) / 1000).toFixed(1)} s`)
    const slot = { stack, strategy, env: envKey(scenarioEnv), used: false, proxy }
    slots.set(kind, slot)
    return slot
  }

  async function stopSlot (kind: SlotKind): Promise<void> {
    const slot = slots.get(kind)
    if (slot === undefined) return
    slots.delete(kind)
    try {
      await slot.stack.stop()
    } finally {
      await slot.proxy?.close()
    }
  }

  async function slotFor (kind: SlotKind, strategy: CacheStrategyName, env: Readonly<Record<string, string>>): Promise<Slot> {
    const pending = starting.get(kind)
    if (pending !== undefined) {
      starting.delete(kind)
      await pending
    }
    return slots.get(kind) ?? await start(kind, strategy, env)
  }

  async function stopPeer (): Promise<void> {
    const running = peer
    peer = undefined
    await running?.stop()
  }

  async function startPeer (kind: 'varnish' | 'nginx-only', slot: Slot, appEnv: Readonly<Record<string, string>>): Promise<PeerServer> {
    peerDir ??= await mkdtemp(join(tmpdir(), 'cachestack-peers-'))
    const port = await freePort()
    const workDir = join(peerDir, `${kind}-${port}`)
    const lifetimes = lifetimesOf(appEnv)
    const began = Date.now()
    let server: PeerServer
    if (kind === 'varnish') {
      server = await peers.varnish({ ...lifetimes, port, workDir, backendPort: Number(new URL(slot.stack.urls.app).port) })
    } else {
      if (peerCities === undefined) throw new Error('peer-nginx-only needs the run\'s cities for its name → id map')
      const provider = slot.proxy === undefined ? new URL(slot.stack.urls.origin).host : `127.0.0.1:${slot.proxy.port}`
      server = await peers.nginxOnly({ ...lifetimes, port, workDir, providerAddress: provider, cities: peerCities() })
    }
    onNote(`  started peer-${kind} (TTL ${lifetimes.ttlSeconds} s, grace ${lifetimes.graceSeconds} s) in ${((Date.now() - began) / 1000).toFixed(1)} s`)
    peer = server
    return server
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
        if (!slots.has(config.slot) && !starting.has(config.slot)) starting.set(config.slot, start(config.slot, config.strategy, config.appEnv))
      }
      await Promise.all(starting.values())
      starting.clear()
    },
    async prepare (target: TargetName, { fresh, cold, appEnv: scenarioEnv = {} }: PrepareOptions): Promise<Endpoints> {
      await stopPeer()
      const wanted = targetConfiguration(target, edgeStrategy)
      const appEnv = { ...scenarioEnv, ...wanted.appEnv }
      let slot = await slotFor(wanted.slot, wanted.strategy, appEnv)
      const env = envKey(appEnv)
      if (wanted.slot !== 'app') {
        // A new stack is the only way to empty nginx's proxy_cache, or to give the provider
        // another Cache-Control (the HTTP-cache stack's provider follows the scenario's TTL).
        if ((wanted.edgeCache && fresh && slot.used) || slot.strategy !== wanted.strategy || slot.env !== env) {
          await stopSlot(wanted.slot)
          slot = await start(wanted.slot, wanted.strategy, appEnv)
        } else if (cold || (fresh && slot.used)) {
          // undici's cache lives in the workers: a restart empties it.
          await slot.stack.restartApp({ strategy: wanted.strategy, workers, appEnv: { ...appEnv, ...APP_ENV } })
        }
      } else if (wanted.peer !== 'nginx-only' &&
        (slot.strategy !== wanted.strategy || slot.env !== env || cold || (fresh && slot.used && hasCache(wanted.strategy)))) {
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
      const common = {
        originStatsUrl: `${stack.urls.origin.replace(/\/$/, '')}/stats`,
        strategy: wanted.strategy,
        ...(slot.proxy === undefined ? {} : { provider: slot.proxy }),
        ...(stack.redisCluster === undefined ? {} : { redisShards: () => stack.redisCluster!.describe() })
      }
      const redisPid = stack.pids.redis ?? null
      if (wanted.peer === 'varnish' || wanted.peer === 'nginx-only') {
        const server = await startPeer(wanted.peer, slot, appEnv)
        const varnish = wanted.peer === 'varnish'
        return {
          ...common,
          loadUrl: server.url,
          // Behind Varnish, the app sees only what Varnish did not answer: the edge's arithmetic.
          metricsUrl: varnish ? stack.urls.metricsAll.join(' ') : null,
          // The front tier is measured in the nginx role (Varnish, or the peer's own nginx).
          pids: { app: varnish ? stack.pids.app : null, nginx: server.pid, redis: varnish ? redisPid : null, origin: stack.pids.origin },
          edgeCache: varnish,
          peer: true,
          purge: varnish
            ? (path) => purgeRequest(server.url + path, { method: 'PURGE' }, 'PURGE')
            : (path) => purgeRequest(server.url + path, { headers: { 'x-cache-refresh': '1' } }, 'GET X-Cache-Refresh: 1')
        }
      }
      const loadUrl = stack.urls.nginx.replace(/\/$/, '')
      const token = appEnv.PURGE_TOKEN
      return {
        ...common,
        loadUrl,
        // undici's cache answers inside the app's origin client: the app's own counters call
        // every request a miss, so they are left out and the provider's count tells the hits.
        metricsUrl: wanted.peer === 'undici-cache' ? null : stack.urls.metricsAll.join(' '),
        pids: { app: stack.pids.app, nginx: stack.pids.nginx, redis: redisPid, origin: stack.pids.origin },
        edgeCache: wanted.edgeCache,
        ...(wanted.peer === undefined ? {} : { peer: true }),
        // DELETE reaches our engine (L1, L2, every other L1); undici's store has no such path.
        ...(token === undefined || wanted.peer === 'undici-cache'
          ? {}
          : { purge: (path: string) => purgeRequest(loadUrl + path, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }, 'DELETE') })
      }
    },
    async close () {
      await Promise.allSettled([...starting.values()])
      const outcomes = await Promise.allSettled([stopPeer(), ...[...slots.keys()].map((kind) => stopSlot(kind))])
      if (peerDir !== undefined) await rm(peerDir, { recursive: true, force: true }).catch(() => {})
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    }
  }
}
