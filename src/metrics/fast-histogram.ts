// A Prometheus histogram whose observe() is a bucket search and three additions. prom-client's
// own child observe() re-hashes its labels on every call, which showed in the request path's
// CPU profile (~2.5% of an L1 hit); here each label set is resolved once, to a series object.
// It registers in a prom-client Registry like any metric, and merges across cluster workers
// (aggregator 'sum').
import type { Registry } from 'prom-client'

export interface HistogramSeries {
  observe (value: number): void
}

class Series implements HistogramSeries {
  readonly counts: Float64Array
  sum = 0
  count = 0
  constructor (readonly labels: Readonly<Record<string, string>>, private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length)
  }

  observe (value: number): void {
    const bounds = this.bounds
    let i = 0
    while (i < bounds.length && value > bounds[i]!) i++
    if (i < bounds.length) this.counts[i]!++
    this.sum += value
    this.count++
  }
}

export interface FastHistogramOptions {
  name: string
  help: string
  /** Upper bounds, ascending; +Inf is implied. */
  buckets: readonly number[]
  registers: Registry[]
}

interface MetricValue {
  labels: Record<string, string | number>
  value: number
  metricName: string
}

export class FastHistogram {
  readonly name: string
  readonly help: string
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly #bounds: readonly number[]
  readonly #series: Series[] = []

  constructor ({ name, help, buckets, registers }: FastHistogramOptions) {
    if (buckets.some((b, i) => i > 0 && b <= buckets[i - 1]!)) throw new TypeError('expected buckets in ascending order')
    this.name = name
    this.help = help
    this.#bounds = [...buckets]
    for (const registry of registers) registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0])
  }

  /** A series for one label set: resolve it once, observe many times. */
  series (labels: Readonly<Record<string, string>>): HistogramSeries {
    const series = new Series(labels, this.#bounds)
    this.#series.push(series)
    return series
  }

  /** The shape prom-client's Registry and AggregatorRegistry read (cumulative buckets). */
  async get (): Promise<{ name: string, help: string, type: string, aggregator: string, values: MetricValue[] }> {
    const values: MetricValue[] = []
    for (const s of this.#series) {
      let cumulative = 0
      for (let i = 0; i < this.#bounds.length; i++) {
        cumulative += s.counts[i]!
        values.push({ labels: { le: this.#bounds[i]!, ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` })
      }
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${this.name}_bucket` })
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` })
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }

  reset (): void {
    for (const s of this.#series) {
      s.counts.fill(0)
      s.sum = 0
      s.count = 0
    }
  }
}
