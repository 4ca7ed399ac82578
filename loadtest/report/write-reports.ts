// Writes the three reports of a run into one directory.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadChartJs } from './html-page.js'
import { renderHtmlReport } from './report-html.js'
import { renderJsonReport } from './report-json.js'
import { renderMarkdownReport } from './report-markdown.js'
import type { Results } from './schema.js'

export interface WrittenReports {
  json: string
  markdown: string
  html: string
}

export async function writeReports (outDir: string, results: Results): Promise<WrittenReports> {
  await mkdir(outDir, { recursive: true })
  const paths = { json: join(outDir, 'results.json'), markdown: join(outDir, 'results.md'), html: join(outDir, 'report.html') }
  // JSON first: it validates the results, and is the one file a later compare needs.
  await writeFile(paths.json, renderJsonReport(results))
  await writeFile(paths.markdown, renderMarkdownReport(results))
  await writeFile(paths.html, renderHtmlReport(results, loadChartJs()))
  return paths
}
