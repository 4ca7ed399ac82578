// CACHE_STRATEGY → the cache behind the route: our engine, or a peer library's adapter.
import type { CacheStrategyName } from '../config.js'
import type { WeatherCache } from './cache.js'
import { createCacheEngine, type StrategyDependencies } from './strategies.js'
import { createPeerCache } from './peers/peer-cache.js'

export function createCache (strategy: CacheStrategyName, deps: StrategyDependencies): WeatherCache {
  if (strategy === 'peer-bentocache' || strategy === 'peer-cache-manager') return createPeerCache(strategy, deps)
  return createCacheEngine(strategy, deps)
}
