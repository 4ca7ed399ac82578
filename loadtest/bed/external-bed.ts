// An already running stack (docker compose, another host port on this machine): the load test
// only points at it. It cannot switch strategies or empty caches, so it measures what runs.
import type { ExternalTargetOptions } from '../options.js'
import { isEdgeTarget, type TargetName } from '../targets.js'
import type { Endpoints, PrepareOptions, TestBed } from './test-bed.js'

export function createExternalBed (options: ExternalTargetOptions): TestBed {
  const warnings: string[] = []
  let warnedFresh = false
  return {
    mode: 'external',
    workers: null,
    warnings,
    async begin () {},
    async prepare (target: TargetName, { fresh }: PrepareOptions): Promise<Endpoints> {
      if (fresh && !warnedFresh) {
        warnedFresh = true
        warnings.push('external target: caches are not emptied between repetitions (no restart possible); every run starts from whatever the previous one left')
      }
      return {
        loadUrl: options.url.replace(/\/$/, ''),
        metricsUrl: options.metricsUrl,
        originStatsUrl: options.originStatsUrl,
        pids: { app: options.appPid, nginx: null, redis: null, origin: null },
        edgeCache: isEdgeTarget(target),
        strategy: target === 'baseline' || isEdgeTarget(target) ? null : target
      }
    },
    async close () {}
  }
}
