// Writes a soak's two files into one directory: soak.json (everything measured) and report.html.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadChartJs } from '../loadtest/report/html-page.js'
import { renderHtmlReport } from './report-html.js'
import type { SoakResult } from './run.js'

export interface WrittenReports {
  json: string
  html: string
}

export async function writeReports (outDir: string, result: SoakResult): Promise<WrittenReports> {
  await mkdir(outDir, { recursive: true })
  const paths = { json: join(outDir, 'soak.json'), html: join(outDir, 'report.html') }
  await writeFile(paths.json, JSON.stringify(result, null, 2) + '\n')
  await writeFile(paths.html, renderHtmlReport(result, loadChartJs()))
  return paths
}
