// Metrics across the cluster: each worker keeps its own registry, and the primary gathers them
// with prom-client's AggregatorRegistry over the cluster's IPC channel when it is scraped
// (src/metrics/metrics-listener.ts). Counters add up; gauges and histograms are combined.
import { AggregatorRegistry, type Registry } from 'prom-client'

/** Worker side: lets the primary's aggregator read this worker's registry. */
export function shareWithPrimary (registry: Registry): void {
  // Constructing one installs prom-client's worker-side listener that answers the primary.
  void new AggregatorRegistry()
  AggregatorRegistry.setRegistries([registry])
}

/** Primary side: the text of every live worker's registry, aggregated. */
export function clusterMetricsText (): () => Promise<string> {
  const aggregator = new AggregatorRegistry()
  return () => aggregator.clusterMetrics()
}
