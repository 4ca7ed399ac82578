// Where a matrix run is kept: faults-results/<timestamp>.json (every figure, second by second)
// and .md (the table and one section per fault), plus latest.json / latest.md.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FaultDefinition } from './fault.js'
import { renderMarkdownReport } from './report-markdown.js'
import type { MatrixResult } from './row.js'

export async function writeReports (result: MatrixResult, catalogue: readonly FaultDefinition[], outDir: string): Promise<{ json: string, markdown: string }> {
  await mkdir(outDir, { recursive: true })
  const stamp = result.startedAt.replace(/[:.]/g, '-')
  const json = JSON.stringify(result, null, 2) + '\n'
  const markdown = renderMarkdownReport(result, catalogue)
  const paths = { json: join(outDir, `faults-${stamp}.json`), markdown: join(outDir, `faults-${stamp}.md`) }
  await Promise.all([
    writeFile(paths.json, json),
    writeFile(paths.markdown, markdown),
    writeFile(join(outDir, 'latest.json'), json),
    writeFile(join(outDir, 'latest.md'), markdown)
  ])
  return paths
}
