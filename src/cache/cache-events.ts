// What the engine reports as it works: metrics.ts counts it with prom-client; tests count it.
export type Layer = 'l1' | 'l2'

export type L2Operation = 'get' | 'set' | 'delete' | 'lock' | 'publish'

export interface CacheEvents {
  hit (layer: Layer): void
  stale (layer: Layer): void
  miss (): void
  negativeHit (): void
  refresh (outcome: 'ok' | 'error' | 'skipped'): void
  lockWait (outcome: 'filled' | 'released' | 'timeout'): void
  l2Error (operation: L2Operation, err: unknown): void
  l2Skipped (): void
}

export const noopCacheEvents: CacheEvents = Object.freeze({
  hit () {}, stale () {}, miss () {}, negativeHit () {}, refresh () {}, lockWait () {}, l2Error () {}, l2Skipped () {}
})
