import type { CacheResult, Loader } from './engine.js'
import type { MemoryRecord } from './memory-store.js'

export interface L1Usage {
  readonly entries: number
  readonly bytes: number
}

/**
 * What the route needs from a cache: our engine implements it, and so do the adapters that put
 * the peer libraries (bentocache, cache-manager) behind the same route for the load tests.
 */
export interface WeatherCache {
  /**
   * The one hit lookup, for the route and the hit fast path alike: a fresh L1 record,
   * synchronously, or undefined (then call get). When the cache decides to refresh the key early
   * (XFetch), the hit is still answered and the refresh is started here, with `load`; without a
   * loader (a look, in tests) no early refresh is decided.
   */
  peek (key: string, load?: Loader): MemoryRecord | undefined
  remainingMs (record: MemoryRecord): number
  get (key: string, load: Loader): Promise<CacheResult>
  /** What L1 holds now (entries and bytes of bodies), for the gauges; undefined without L1. */
  l1Usage? (): L1Usage | undefined
  /** Purge from every layer. */
  delete (key: string): Promise<void>
  /** Subscribes and waits for connections, bounded. */
  start? (): Promise<void>
  close? (): Promise<void>
}
