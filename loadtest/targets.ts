// The targets a load test can measure and the names they run under. A target is a deployment
// (the limit, a CACHE_STRATEGY, the edge tier, a peer); a run target is one as run: with
// `--l1-policy`'s variant (`layered[l1=lru]`) and, on the Redis Cluster (`--redis single|cluster|both`:
// 3 masters + 3 replicas, 2 app instances behind nginx), the suffix `@cluster` (`layered@cluster`),
// so one run can hold the same target on both topologies, side by side, with the ratio between
// them. Names and predicates only: the options, the beds, the runner and the summaries read them,
// and this module imports nothing else of loadtest/, so it closes no import cycle.
import { CACHE_STRATEGIES, usesRedis, type CacheStrategyName, type L1PolicyName } from '../src/config.js'

/** nginx's proxy_cache in front of edgeStrategy: `edge` as configured (shared caches keep an
 * answer SHARED_MAX_AGE_SECONDS, the bound on serving a purged one), `edge-ttl` keeping it for the
 * whole freshness instead (no purge bound: what the edge tier did before; for comparison). */
export const EDGE_TARGETS = ['edge', 'edge-ttl'] as const
export type EdgeTargetName = typeof EDGE_TARGETS[number]

/** What a user would deploy instead of this service's cache (docs/peers.md), started by the load
 * test itself: Varnish in front of the cache-less app, nginx's proxy_cache alone in front of the
 * provider, the cache-less app with undici's RFC 9111 cache on its origin client. */
export const PEER_TARGETS = ['peer-varnish', 'peer-nginx-only', 'peer-undici-cache'] as const
export type PeerTargetName = typeof PEER_TARGETS[number]

/** `baseline` is the limit (/baseline/:city); the edge targets; any CACHE_STRATEGY in between; the peers. */
export const TARGET_NAMES = ['baseline', ...CACHE_STRATEGIES, ...EDGE_TARGETS, ...PEER_TARGETS] as const
export type TargetName = typeof TARGET_NAMES[number]

export const isEdgeTarget = (target: string): target is EdgeTargetName => (EDGE_TARGETS as readonly string[]).includes(target)
export const isPeerTarget = (target: string): target is PeerTargetName => (PEER_TARGETS as readonly string[]).includes(target)

/** What a plain `npm run loadtest` compares: the limit, the four basic strategies, the edge tier. */
export const DEFAULT_TARGETS: readonly TargetName[] = Object.freeze(['baseline', 'none', 'memory', 'redis', 'layered', 'edge'])

export const REDIS_MODES = ['single', 'cluster', 'both'] as const
export type RedisMode = typeof REDIS_MODES[number]
export type RedisTopology = 'single' | 'cluster'

export const CLUSTER_SUFFIX = '@cluster'
/** `--l1-policy`: a target run with one L1 eviction policy carries it, `layered[l1=tinylfu]`. */
export type L1Variant = '' | `[l1=${L1PolicyName}]`
/** A target as run: its name, with its L1 policy when --l1-policy asks for several, on one Redis
 * or (`<name>@cluster`) on the Redis Cluster. */
export type RunTargetName = `${TargetName}${L1Variant}` | `${TargetName}${L1Variant}${typeof CLUSTER_SUFFIX}`

/** One cluster node after a run (DBSIZE; a replica mirrors its master). */
export interface ShardKeys {
  port: number
  role: 'master' | 'replica'
  keys: number
}

export interface RunTargetParts {
  target: TargetName
  redis: RedisTopology
  /** The L1 policy this run sets (L1_POLICY), when the name carries one. */
  l1Policy: L1PolicyName | undefined
}

export function splitTarget (name: RunTargetName): RunTargetParts {
  const redis: RedisTopology = name.endsWith(CLUSTER_SUFFIX) ? 'cluster' : 'single'
  const base = redis === 'cluster' ? name.slice(0, -CLUSTER_SUFFIX.length) : name
  const variant = /^(.*)\[l1=([a-z0-9]+)\]$/.exec(base)
  return variant === null
    ? { target: base as TargetName, redis, l1Policy: undefined }
    : { target: variant[1] as TargetName, redis, l1Policy: variant[2] as L1PolicyName }
}

/** Whether a target's own L1 is the service's (a policy to vary): every strategy with an L1 of ours, and the edge tier's app behind. */
export function hasOwnL1 (target: TargetName, edgeStrategy: CacheStrategyName): boolean {
  if (target === 'baseline' || isPeerTarget(target)) return false
  const strategy = isEdgeTarget(target) ? edgeStrategy : target
  return strategy === 'memory' || strategy === 'layered' || strategy === 'layered-xfetch'
}

/** Whether a target's numbers depend on L2 (worth measuring on both topologies). */
export function readsRedis (target: TargetName, edgeStrategy: CacheStrategyName): boolean {
  // The peers keep their cache in their own process (Varnish, nginx, undici's memory store).
  if (target === 'baseline' || isPeerTarget(target)) return false
  return usesRedis(isEdgeTarget(target) ? edgeStrategy : target)
}

/**
 * The targets in run order. single: as given. cluster: every one on the cluster. both: every one
 * on one Redis, each that reads L2 followed by its `@cluster` twin — measured in the same run,
 * on the same machine, so their ratio is the finding.
 */
export function runTargets (
  targets: readonly TargetName[], mode: RedisMode, edgeStrategy: CacheStrategyName, l1Policies: readonly L1PolicyName[] | null = null
): RunTargetName[] {
  // Each policy of --l1-policy is a target of its own, next to its siblings; a target without an
  // L1 of ours (the limit, redis, the peers) runs once.
  const variants = targets.flatMap((t): Array<`${TargetName}${L1Variant}`> =>
    l1Policies === null || !hasOwnL1(t, edgeStrategy) ? [t] : l1Policies.map((policy) => `${t}[l1=${policy}]` as const))
  if (mode === 'single') return variants
  if (mode === 'cluster') return variants.map((t) => `${t}${CLUSTER_SUFFIX}` as const)
  return variants.flatMap((t): RunTargetName[] => (readsRedis(splitTarget(t).target, edgeStrategy) ? [t, `${t}${CLUSTER_SUFFIX}`] : [t]))
}

/** Masters' key counts, in port order: the spread over the shards. */
export function masterKeys (shards: readonly ShardKeys[]): number[] {
  return shards.filter((s) => s.role === 'master').sort((a, b) => a.port - b.port).map((s) => s.keys)
}
