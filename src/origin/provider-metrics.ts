// The simulated provider's own Prometheus metrics: what a third party's operator would count,
// served at the provider's /metrics and scraped as job `provider`.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export function createProviderMetrics (collectDefaults: boolean) {
  const registry = new Registry()
  if (collectDefaults) collectDefaultMetrics({ register: registry, prefix: 'cachestack_provider_' })
  return {
    registry,
    requests: new Counter({
      name: 'cachestack_provider_requests_total',
      help: 'Weather requests the simulated provider served, by outcome (ok, error = simulated failure, not_found)',
      labelNames: ['outcome'] as const,
      registers: [registry]
    }),
    duration: new Histogram({
      name: 'cachestack_provider_request_duration_seconds',
      help: 'Time the provider took to answer, simulated latency included',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry]
    }),
    inFlight: new Gauge({ name: 'cachestack_provider_in_flight', help: 'Weather requests being answered now', registers: [registry] })
  }
}
