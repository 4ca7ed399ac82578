// Liveness, readiness and metrics: what an orchestrator and Prometheus scrape.
import type { FastifyInstance } from 'fastify'
import { errorBody } from './errors.js'

export interface Readiness {
  ready: boolean
  checks: Record<string, 'up' | 'down' | 'closing'>
}

export interface OpsRouteOptions {
  readiness: () => Readiness
  metricsText: () => Promise<string>
}

export function registerOpsRoutes (app: FastifyInstance, { readiness, metricsText }: OpsRouteOptions): void {
  app.get('/health', async () => ({ status: 'ok' }))

  app.get('/ready', async (_request, reply) => {
    const report = readiness()
    if (report.ready) return { status: 'ready', checks: report.checks }
    const down = Object.entries(report.checks).filter(([, state]) => state !== 'up').map(([name, state]) => `${name} ${state}`)
    return reply.code(503).send({ ...errorBody(503, 'CS_ERR_NOT_READY', `Not ready: ${down.join(', ')}`), checks: report.checks })
  })

  app.get('/metrics', async (_request, reply) => {
    const text = await metricsText()
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text)
  })
}
