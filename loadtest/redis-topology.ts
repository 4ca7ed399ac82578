// `--redis single|cluster|both`: which L2 the native stacks run on. A target measured on the Redis
// Cluster (3 masters + 3 replicas, 2 app instances behind nginx) carries the suffix `@cluster`
// (`layered@cluster`), so one run can hold the same target on both topologies, side by side,
// with the ratio between them; after each cluster run, every node's key count is read. The name
// carries `--l1-policy`'s variant too (`layered[l1=lru]@cluster`), the other dimension of a run target.
import { usesRedis, type CacheStrategyName, type L1PolicyName } from '../src/config.js'
import { isEdgeTarget, isPeerTarget, type TargetName } from './options.js'
import type { Results } from './schema.js'
import type { TestBed } from './test-bed.js'

export const REDIS_MODES = ['single', 'cluster', 'both'] as const
export type RedisMode = typeof REDIS_MODES[number]
export type RedisTopology = 'single' | 'cluster'

export const CLUSTER_SUFFIX = '@cluster'
/** `--l1-policy`: a target run with one L1 eviction policy carries it, `layered[l1=tinylfu]`. */
export type L1Variant = '' | `[l1=${L1PolicyName}]`
/** A target as run: its name, with its L1 policy when --l1-policy asks for several, on one Redis
 * or (`<name>@cluster`) on the Redis Cluster. */
export type RunTargetName = `${TargetName}${L1Variant}` | `${TargetName}${L1Variant}${typeof CLUSTER_SUFFIX}`

/** App instances behind nginx on each topology: the cluster is the scale-out setup. */
export const APP_INSTANCES: Readonly<Record<RedisTopology, number>> = Object.freeze({ single: 1, cluster: 2 })

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

/**
 * One bed per topology behind the TestBed the runner sees: `<target>@cluster` goes to the
 * cluster's bed as `<target>`, every other name to the single-Redis bed. Both stacks stay up for
 * the whole run (idle, they cost memory, not CPU), so alternating costs no restarts.
 */
export function createTopologyBed (beds: Partial<Record<RedisTopology, TestBed>>): TestBed {
  const bedFor = (redis: RedisTopology): TestBed => {
    const bed = beds[redis]
    if (bed === undefined) throw new Error(`this run has no ${redis === 'cluster' ? 'Redis Cluster' : 'single-Redis'} stack`)
    return bed
  }
  const all = Object.values(beds)
  return {
    mode: 'native',
    workers: all[0]?.workers ?? null,
    get warnings () { return all.flatMap((bed) => bed.warnings) },
    async begin (targets) {
      const byTopology = new Map<RedisTopology, TargetName[]>()
      for (const name of targets) {
        const { target, redis } = splitTarget(name)
        byTopology.set(redis, [...(byTopology.get(redis) ?? []), target])
      }
      await Promise.all([...byTopology].map(([redis, list]) => bedFor(redis).begin(list)))
    },
    prepare (name, options) {
      const { target, redis } = splitTarget(name)
      return bedFor(redis).prepare(target, options)
    },
    async close () {
      const outcomes = await Promise.allSettled(all.map((bed) => bed.close()))
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    }
  }
}

/** One line per cluster run: `layered@cluster · zipf #1: 170 / 160 / 172 keys per master (502 in all)`. */
export function shardLines (results: Results): string[] {
  const lines: string[] = []
  for (const result of results.results) {
    for (const m of result.measurements) {
      if (m.redisShards === undefined) continue
      const keys = masterKeys(m.redisShards)
      const total = keys.reduce((a, b) => a + b, 0)
      lines.push(`${result.target} · ${result.scenario}${result.measurements.length > 1 ? ` #${m.repetition}` : ''}: ` +
        `${keys.join(' / ')} keys per master (${total} in all)`)
    }
  }
  return lines
}
