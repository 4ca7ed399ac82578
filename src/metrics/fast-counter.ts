// A Prometheus counter for the request path: a label set is resolved once to a series, and
// inc() is one addition. prom-client's child inc() hashes and validates its labels and
// allocates a result object on every call. Registers in a prom-client Registry like any metric,
// and merges across cluster workers (aggregator 'sum').
import type { Registry } from 'prom-client'

export interface CounterSeries {
  inc (by?: number): void
}

class Series implements CounterSeries {
  value = 0
  constructor (readonly labels: Readonly<Record<string, string>>) {}
  inc (by = 1): void {
    this.value += by
  }
}

export interface FastCounterOptions {
  name: string
  help: string
  registers: Registry[]
}

export class FastCounter {
  readonly name: string
  readonly help: string
  readonly type = 'counter'
  readonly aggregator = 'sum'
  readonly #series: Series[] = []

  constructor ({ name, help, registers }: FastCounterOptions) {
    this.name = name
    this.help = help
    for (const registry of registers) registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0])
  }

  series (labels: Readonly<Record<string, string>> = {}): CounterSeries {
    const series = new Series(labels)
    this.#series.push(series)
    return series
  }

  async get (): Promise<{ name: string, help: string, type: string, aggregator: string, values: Array<{ labels: Record<string, string>, value: number }> }> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.#series.map((s) => ({ labels: { ...s.labels }, value: s.value }))
    }
  }

  reset (): void {
    for (const s of this.#series) s.value = 0
  }
}
