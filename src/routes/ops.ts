// Liveness and readiness: what an orchestrator probes on the app's own port (nginx answers both
// paths itself and never proxies /ready). Metrics are not here: they are served by the primary
// on the internal metrics listener (src/metrics/metrics-listener.ts).
import type { FastifyInstance } from 'fastify'
import { errorBody } from './errors.js'

export interface Readiness {
  ready: boolean
  checks: Record<string, 'up' | 'down' | 'closing'>
}

export interface OpsRouteOptions {
  readiness: () => Readiness
}

export function registerOpsRoutes (app: FastifyInstance, { readiness }: OpsRouteOptions): void {
  app.get('/health', async () => ({ status: 'ok' }))

  app.get('/ready', async (_request, reply) => {
    const report = readiness()
    if (report.ready) return { status: 'ready', checks: report.checks }
    const down = Object.entries(report.checks).filter(([, state]) => state !== 'up').map(([name, state]) => `${name} ${state}`)
    return reply.code(503).send({ ...errorBody(503, 'CS_ERR_NOT_READY', `Not ready: ${down.join(', ')}`), checks: report.checks })
  })
}
