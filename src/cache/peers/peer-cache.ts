// CACHE_STRATEGY=peer-* → another library's multi-tier cache behind our route, for the load tests
// and micro-benchmarks (docs/peers.md). The libraries are devDependencies: checked for here,
// synchronously, with a message that says what to install; imported only when chosen.
import { ConfigInvalidError } from '../../errors.js'
import type { WeatherCache } from '../cache.js'
import type { StrategyDependencies } from '../strategies.js'
import { LazyPeerCache } from './lazy-peer-cache.js'
import type { PeerDependencies, PeerStrategyName } from './peer-options.js'

/** The packages each peer adapter imports. */
export const PEER_PACKAGES: Readonly<Record<PeerStrategyName, readonly string[]>> = {
  'peer-bentocache': ['bentocache'],
  'peer-cache-manager': ['cache-manager', 'keyv', '@keyv/redis', 'cacheable']
}

export interface PeerCacheOptions {
  /** Resolves a package name, throwing when it is not installed. @default import.meta.resolve */
  resolve?: (specifier: string) => string
}

export function createPeerCache (
  strategy: PeerStrategyName,
  deps: StrategyDependencies,
  { resolve = (s) => import.meta.resolve(s) }: PeerCacheOptions = {}
): WeatherCache {
  const { redis } = deps
  if (redis === undefined) throw new TypeError(`strategy '${strategy}' needs a Redis client`)
  const missing = PEER_PACKAGES[strategy].filter((name) => {
    try {
      resolve(name)
      return false
    } catch {
      return true
    }
  })
  if (missing.length > 0) {
    deps.subscriber?.disconnect()
    throw new ConfigInvalidError(`  CACHE_STRATEGY=${strategy}: needs ${missing.join(', ')}, development dependencies of cachestack; ` +
      'run `npm install` with them (not `npm ci --omit=dev` or NODE_ENV=production)')
  }
  const peerDeps: PeerDependencies = { ...deps, redis }
  return new LazyPeerCache(async () => {
    if (strategy === 'peer-bentocache') {
      const { BentocacheCache } = await import('./bentocache-cache.js')
      return new BentocacheCache(peerDeps)
    }
    const { CacheManagerCache } = await import('./cache-manager-cache.js')
    return new CacheManagerCache(peerDeps)
  })
}
