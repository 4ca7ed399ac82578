// The table printed at the end of a run: the narrow columns, one block per scenario.
import { cells, COLUMNS, renderTextTable, scenarioResults } from './table.js'
import type { Results } from './schema.js'

export function renderTerminalReport (results: Results): string {
  const columns = COLUMNS.filter((c) => c.terminal)
  const blocks = results.scenarios.map((scenario) => {
    const rows = scenarioResults(results, scenario.name)
    if (rows.length === 0) return ''
    return `${scenario.name}: ${scenario.description}\n` + renderTextTable(columns.map((c) => c.header), cells(columns, rows), columns.map((c) => c.align))
  }).filter((b) => b !== '')
  const notes = results.warnings.map((w) => `warning: ${w}`)
  return [...blocks, ...notes].join('\n\n') + '\n'
}
