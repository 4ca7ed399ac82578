// `--redis single|cluster|both`: which L2 the native stacks run on. A target measured on the Redis
// Cluster carries the suffix `@cluster` (loadtest/targets.ts); this router sends it to the
// cluster's native bed, every other name to the single-Redis one.
import { splitTarget, type RedisTopology, type TargetName } from '../targets.js'
import type { TestBed } from './test-bed.js'

/** App instances behind nginx on each topology: the cluster is the scale-out setup. */
export const APP_INSTANCES: Readonly<Record<RedisTopology, number>> = Object.freeze({ single: 1, cluster: 2 })

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
