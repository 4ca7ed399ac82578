// What every peer adapter is built from, and the settings they share. A peer gets the very same
// TTL, grace, L1 bounds and Redis as our engine (all defaulted once, in config.ts), so the load
// tests and micro-benchmarks compare libraries, not configurations.
import type { RedisClient } from '../../redis.js'
import type { CacheResult, CacheSource } from '../engine.js'
import type { CacheEntry } from '../entry.js'
import type { StrategyDependencies } from '../strategies.js'

export const PEER_STRATEGIES = ['peer-bentocache', 'peer-cache-manager'] as const
export type PeerStrategyName = typeof PEER_STRATEGIES[number]

/** The strategy dependencies, with the Redis client every peer needs. */
export type PeerDependencies = StrategyDependencies & { redis: RedisClient }

/**
 * Where a peer keeps its keys and channels: beside ours (`<prefix>:<version>:<id>`), never
 * among them, so two strategies sharing one Redis cannot read each other's formats.
 */
export function peerNamespace (keyPrefix: string, strategy: PeerStrategyName): string {
  return `${keyPrefix}:${strategy}`
}

// Server-Timing of a peer answer: built once; only a miss carries a duration.
const TIMING: Record<Exclude<CacheSource, 'MISS'>, string> = {
  'HIT-L1': 'l1;desc=hit',
  'HIT-L2': 'l1;desc=miss, l2;desc=hit',
  STALE: 'l1;desc=stale'
}

/**
 * A peer's answer in our terms. Neither library hands out an entry's expiry with the value, so
 * freshness left is derived from `storedAt` (wall time of the origin answer, written just before
 * the library's own clock starts): a lower bound by a few ms, the safe side for `max-age`.
 */
export function peerResult (entry: CacheEntry, source: CacheSource, remainingMs: number, originMs: number): CacheResult {
  const serverTiming = source === 'MISS' ? `origin;dur=${Math.round(originMs * 100) / 100}` : TIMING[source]
  return { entry, source, remainingMs: source === 'STALE' ? 0 : Math.max(0, remainingMs), serverTiming }
}
