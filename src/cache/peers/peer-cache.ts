import type { WeatherCache } from '../cache.js'
import type { StrategyDependencies } from '../strategies.js'

export function createPeerCache (strategy: 'peer-bentocache' | 'peer-cache-manager', deps: StrategyDependencies): WeatherCache {
  deps.subscriber?.disconnect()
  throw new TypeError(`strategy '${strategy}' is not available yet`)
}
