// The metric names the service really exports, and the names a PromQL expression uses: the rules
// test and the dashboard test hold every expression to the same list, so a renamed metric (or a
// typo) fails a test instead of leaving an alert that can never fire or a panel with no data.
import { AggregatorRegistry } from 'prom-client'
import { createMetrics } from '../../src/metrics/metrics.js'
import { createProviderMetrics } from '../../src/origin/provider-metrics.js'
import { watchWorkers } from '../../src/metrics/primary-metrics.js'

/** Series Prometheus adds to every target itself: `up` is the one the rules and panels use. */
const SCRAPE_SERIES = ['up']

/**
 * What the exporters of the `nginx` and `redis` jobs serve, among what the rules and panels use.
 * Not ours to generate: test/stack/observability.test.ts checks each one against the real
 * exporters (Debian's prometheus-nginx-exporter and prometheus-redis-exporter) in Prometheus.
 */
export const EXPORTER_METRICS: readonly string[] = Object.freeze([
  'nginx_up', 'nginx_connections_active', 'nginx_connections_accepted', 'nginx_connections_handled', 'nginx_http_requests_total',
  'redis_up', 'redis_memory_used_bytes', 'redis_memory_max_bytes', 'redis_db_keys', 'redis_connected_clients',
  'redis_commands_processed_total', 'redis_evicted_keys_total'
])
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count']
let exported: Promise<ReadonlySet<string>> | undefined

/**
 * What a replica's /metrics serves: a worker's registry (default metrics included, as in
 * production) passed through prom-client's cluster aggregation, as the primary does on each
 * scrape — which drops the metrics whose aggregator is 'omit' (process_start_time_seconds).
 */
export function exportedMetricNames (): Promise<ReadonlySet<string>> {
  // Once per test file: each registry with default metrics starts its own event-loop monitor.
  exported ??= collectExportedNames()
  return exported
}

async function collectExportedNames (): Promise<ReadonlySet<string>> {
  const worker = await createMetrics({ collectDefaults: true }).registry.getMetricsAsJSON()
  const served = await AggregatorRegistry.aggregate([worker]).getMetricsAsJSON()
  // The provider's /metrics (job provider) is served as is, without aggregation.
  const provider = await createProviderMetrics(true).registry.getMetricsAsJSON()
  // The primary's own gauges, appended to the aggregate on the same listener.
  const primary = await watchWorkers(2).registry.getMetricsAsJSON()
  const names = new Set([...SCRAPE_SERIES, ...EXPORTER_METRICS])
  for (const metric of [...served, ...provider, ...primary]) {
    names.add(metric.name)
    // The runtime type is the string prom-client writes in `# TYPE` (its typings say an enum).
    if (String(metric.type) === 'histogram') for (const suffix of HISTOGRAM_SUFFIXES) names.add(metric.name + suffix)
  }
  return names
}

// Words of PromQL that look like names: binary operators, modifiers and the special floats.
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan'])

/**
 * The metric names (and recording-rule names) an expression selects. Not a PromQL parser, but
 * enough for what a metric name can be next to: strings, label matchers and ranges are blanked
 * first, then the label lists of by/without/on/ignoring/group_*, then names followed by `(` are
 * functions or aggregations. Grafana's `$variables` are skipped. A `__name__` matcher would hide a
 * name from this check, so it is refused.
 */
export function metricNamesIn (expr: string): string[] {
  if (expr.includes('__name__')) throw new Error(`select metrics by name, not with a __name__ matcher, so they can be checked: ${expr}`)
  const blanked = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  const names = new Set<string>()
  // Whole words only: not the tail of a number or duration ("10m"), not a `$variable`.
  for (const match of blanked.matchAll(/(?<![\w:$.])[a-zA-Z_:][\w:]*/g)) {
    const calls = /^\s*\(/.test(blanked.slice(match.index + match[0].length))
    if (!calls && !KEYWORDS.has(match[0].toLowerCase())) names.add(match[0])
  }
  return [...names]
}

/** The names in `expr` that are in none of `known`. */
export function unknownMetricNames (expr: string, ...known: Array<ReadonlySet<string>>): string[] {
  return metricNamesIn(expr).filter((name) => !known.some((set) => set.has(name)))
}
