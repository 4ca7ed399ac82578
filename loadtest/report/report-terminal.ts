// The table printed at the end of a run: the narrow columns, one block per scenario.
import { cells, columnsFor, renderTextTable, scenarioResults } from './table.js'
import { shardLines } from './shard-lines.js'
import type { Results } from './schema.js'

export function renderTerminalReport (results: Results): string {
  const columns = columnsFor(results).filter((c) => c.terminal)
  const blocks = results.scenarios.map((scenario) => {
    const rows = scenarioResults(results, scenario.name)
    if (rows.length === 0) return ''
    return `${scenario.name}: ${scenario.description}\n` + renderTextTable(columns.map((c) => c.header), cells(columns, rows), columns.map((c) => c.align))
  }).filter((b) => b !== '')
  const shards = shardLines(results)
  const notes = results.warnings.map((w) => `warning: ${w}`)
  return [
    ...blocks,
    ...(shards.length > 0 ? [['Redis Cluster, keys per master after each run (replicas mirror them):', ...shards].join('\n')] : []),
    ...notes
  ].join('\n\n') + '\n'
}
