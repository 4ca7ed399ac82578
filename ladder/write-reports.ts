// Writes ladder.json, ladder.md and ladder.html into one directory.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadChartJs } from '../loadtest/report/html-page.js'
import { renderLadderHtml } from './report-html.js'
import { renderLadderMarkdown } from './report.js'
import type { LadderResults } from './results.js'

export interface WrittenLadder {
  json: string
  markdown: string
  html: string
}

export async function writeLadderReports (outDir: string, results: LadderResults): Promise<WrittenLadder> {
  await mkdir(outDir, { recursive: true })
  const paths = { json: join(outDir, 'ladder.json'), markdown: join(outDir, 'ladder.md'), html: join(outDir, 'ladder.html') }
  await writeFile(paths.json, JSON.stringify(results, null, 2) + '\n')
  await writeFile(paths.markdown, renderLadderMarkdown(results))
  await writeFile(paths.html, renderLadderHtml(results, loadChartJs(), paths.html))
  return paths
}
