// The simulated provider, in-process on a free loopback port, with its request counter.
import type { FastifyInstance } from 'fastify'
import { buildOriginServer, type OriginStats } from '../../src/origin/server.js'
import { cities, silentLogger } from './fixtures.js'

export interface TestOrigin {
  readonly url: string
  readonly app: FastifyInstance
  stats (): Promise<OriginStats>
  close (): Promise<void>
}

export async function startOrigin (options: { latencyMs?: number, jitterMs?: number, errorRate?: number } = {}): Promise<TestOrigin> {
  const app = buildOriginServer({
    cities: cities(),
    logger: silentLogger(),
    latencyMs: options.latencyMs ?? 20,
    jitterMs: options.jitterMs ?? 0,
    errorRate: options.errorRate ?? 0,
    bucketSeconds: 600,
    collectDefaultMetrics: false
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    url,
    app,
    async stats () {
      const response = await fetch(`${url}/stats`)
      return await response.json() as OriginStats
    },
    close: () => app.close()
  }
}
