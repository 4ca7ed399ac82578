// What the runner needs from the system under test, whether it starts it (native) or only
// points at it (external): where to send load, where to read counters, which pids to watch.
import type { ProviderProxy } from './provider-proxy.js'
import type { RunTargetName, ShardKeys } from '../targets.js'

export interface ProcessRoots {
  /** Cluster primary: its workers are its children. */
  app: number | null
  nginx: number | null
  redis: number | null
  origin: number | null
}

export interface Endpoints {
  /** Base URL the load goes to (nginx), no trailing slash. */
  loadUrl: string
  /** The app's aggregated /metrics, read directly (not through an edge cache). Several app
   * instances: their URLs separated by a space, and their counters summed. */
  metricsUrl: string | null
  /** The provider's /stats. */
  originStatsUrl: string | null
  pids: ProcessRoots
  /** nginx proxy_cache answers in front of the app. */
  edgeCache: boolean
  /** The app's CACHE_STRATEGY, when known. */
  strategy: string | null
  /** On a Redis Cluster: every node's role and key count, read after each run. */
  redisShards?: () => Promise<ShardKeys[]>
  /** The load test's provider proxy in front of this target's provider, when the run has one
   * (origin-outage, purge): switches the provider down and up, changes its data, counts calls. */
  provider?: ProviderControl
  /** Purges one path on this target, the way its operator would (DELETE with the token, Varnish's
   * PURGE, nginx's refresh by bypass); absent: the target has no purge path. */
  purge?: (path: string) => Promise<PurgeOutcome>
  /** A deployment the load test assembled around the app or instead of it (peer-*): its hit
   * ratio comes from the provider's count, the app's counters (if any) do not see its cache. */
  peer?: boolean
}

export type ProviderControl = Pick<ProviderProxy, 'setOutage' | 'setRevision' | 'callsBetween'>

export interface PurgeOutcome {
  /** How it purged, e.g. `DELETE`, `PURGE`, `GET X-Cache-Refresh: 1`. */
  method: string
  /** HTTP status of the purge request. */
  status: number
}

export interface PrepareOptions {
  /** Empty caches: every repetition starts so, then warms up. */
  fresh: boolean
  /** A just-started app as well (the cold scenario measures right after). */
  cold: boolean
  /**
   * App environment the scenario needs on top of the bed's own (e.g. a short CACHE_TTL_SECONDS);
   * an app running with another one is restarted. @default {}
   */
  appEnv?: Readonly<Record<string, string>>
}

export interface TestBed {
  readonly mode: 'native' | 'external'
  readonly workers: number | null
  /** Starts what the targets need, before the first measurement. */
  begin (targets: readonly RunTargetName[]): Promise<void>
  /** Makes `target` the configuration being served. */
  prepare (target: RunTargetName, options: PrepareOptions): Promise<Endpoints>
  /** Warnings worth a line in the report (e.g. a fresh start that was not possible). */
  readonly warnings: readonly string[]
  close (): Promise<void>
}
