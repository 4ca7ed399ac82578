// The Redis Cluster's key spread, one line per cluster run, under the terminal and Markdown tables.
import type { Results } from './schema.js'
import { masterKeys } from '../targets.js'

/** One line per cluster run: `layered@cluster · zipf #1: 170 / 160 / 172 keys per master (502 in all)`. */
export function shardLines (results: Results): string[] {
  const lines: string[] = []
  for (const result of results.results) {
    for (const m of result.measurements) {
      if (m.redisShards === undefined) continue
      const keys = masterKeys(m.redisShards)
      const total = keys.reduce((a, b) => a + b, 0)
      lines.push(`${result.target} · ${result.scenario}${result.measurements.length > 1 ? ` #${m.repetition}` : ''}: ` +
        `${keys.join(' / ')} keys per master (${total} in all)`)
    }
  }
  return lines
}
