// Strategy name → engine composition. `none` is the baseline every other strategy is measured against.
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { CacheStrategyName, Config } from '../config.js'
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js'
import type { Clock } from './clock.js'
import { CacheEngine, type CacheEvents } from './engine.js'
import { MemoryStore } from './memory-store.js'
import { RedisStore } from './redis-store.js'

export interface StrategyDependencies {
  config: Pick<Config, 'cacheTtlMs' | 'l1MaxEntries' | 'l1MaxBytes' | 'l1MaxEntryBytes' | 'redisKeyPrefix' | 'breakerFailureThreshold' | 'breakerResetMs'>
  /** Required by 'redis' and 'layered'. */
  redis?: Redis | undefined
  clock: Clock
  logger: Logger
  events?: CacheEvents
  onBreakerStateChange?: (state: BreakerState) => void
}

export function createCacheEngine (strategy: CacheStrategyName, deps: StrategyDependencies): CacheEngine {
  const { config, redis, clock, logger, events } = deps
  const withL1 = strategy === 'memory' || strategy === 'layered'
  const withL2 = strategy === 'redis' || strategy === 'layered'
  if (withL2 && redis === undefined) throw new TypeError(`strategy '${strategy}' needs a Redis client`)
  const l1 = withL1
    ? new MemoryStore({ maxEntries: config.l1MaxEntries, maxBytes: config.l1MaxBytes, maxEntryBytes: config.l1MaxEntryBytes, clock })
    : undefined
  const l2 = withL2 ? new RedisStore({ redis: redis!, prefix: config.redisKeyPrefix }) : undefined
  const breaker = withL2
    ? new CircuitBreaker({
      failureThreshold: config.breakerFailureThreshold,
      resetTimeoutMs: config.breakerResetMs,
      clock,
      onStateChange: (state) => {
        logger.warn({ state }, 'L2 circuit breaker changed state')
        deps.onBreakerStateChange?.(state)
      }
    })
    : undefined
  return new CacheEngine({
    l1,
    l2,
    breaker,
    ttlMs: config.cacheTtlMs,
    // The baseline pays for every request, as an uncached service would.
    coalesce: strategy !== 'none',
    clock,
    logger,
    ...(events === undefined ? {} : { events })
  })
}
