// The primary's own metrics, next to the workers' aggregate: how many workers it was asked for and
// how many listen right now. /ready answers as soon as one worker listens; these say whether all
// of them do (after a start, a crash, a rolling restart) — what a tool waits for before it
// measures, and what an alert compares.
import cluster from 'node:cluster'
import { Gauge, Registry } from 'prom-client'

export interface PrimaryMetrics {
  readonly registry: Registry
  /** The exposition text of the primary's own gauges. */
  text (): Promise<string>
}

export function watchWorkers (configured: number): PrimaryMetrics {
  // A worker counts from its 'listening' until it disconnects (drained in a rolling restart or a
  // shutdown) or exits (a crash): the ones the shared port hands connections to.
  const listening = new Set<number>()
  cluster.on('listening', (worker) => { listening.add(worker.id) })
  cluster.on('disconnect', (worker) => { listening.delete(worker.id) })
  cluster.on('exit', (worker) => { listening.delete(worker.id) })
  const registry = new Registry()
  const configuredGauge = new Gauge({ name: 'cachestack_workers_configured', help: 'Cluster workers the primary runs (WORKERS)', registers: [] })
  configuredGauge.set(configured)
  const listeningGauge = new Gauge({
    name: 'cachestack_workers_listening',
    help: 'Cluster workers listening on the public port now',
    registers: [],
    collect () { this.set(listening.size) }
  })
  registry.registerMetric(configuredGauge)
  registry.registerMetric(listeningGauge)
  return { registry, text: () => registry.metrics() }
}
