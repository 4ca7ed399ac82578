// The service in-process (createService) on a real origin — and a real redis-server when asked —
// for one test file or describe block: started before its tests, everything closed after.
import { after, before } from 'node:test'
import { createService, type Service } from '../../src/service.js'
import { cityIndex, silentLogger, testConfig } from './fixtures.js'
import { startOrigin, type TestOrigin } from './origin.js'
import { startRedisServer, type RedisServer } from './redis.js'

export interface ServiceBed {
  readonly origin: TestOrigin
  /** Only with `redis: true`. */
  readonly redis: RedisServer
  /** A ready service: the bed's origin, `env()`, then `overrides`. */
  service (overrides?: Record<string, string>): Promise<Service>
  /** Closes a service made by hand after the file. */
  track (service: Service): Service
}

export interface ServiceBedOptions {
  originLatencyMs?: number
  redis?: boolean
  /** Environment every service of the bed gets (read when a service is made). */
  env?: (bed: ServiceBed) => Record<string, string>
}

export function serviceBed ({ originLatencyMs = 10, redis = false, env = () => ({}) }: ServiceBedOptions = {}): ServiceBed {
  const services: Service[] = []
  const bed = {
    origin: undefined as unknown as TestOrigin,
    redis: undefined as unknown as RedisServer,
    async service (overrides: Record<string, string> = {}) {
      const s = bed.track(createService({
        config: testConfig({ ORIGIN_URL: bed.origin.url, ...env(bed), ...overrides }),
        logger: silentLogger(),
        cities: cityIndex(),
        collectDefaultMetrics: false
      }))
      await s.ready()
      return s
    },
    track (service: Service) {
      services.push(service)
      return service
    }
  }
  before(async () => {
    bed.origin = await startOrigin({ latencyMs: originLatencyMs })
    if (redis) bed.redis = await startRedisServer()
  })
  after(async () => {
    for (const service of services) await service.close()
    await bed.origin.close()
    if (redis) await bed.redis.stop()
  })
  return bed
}
