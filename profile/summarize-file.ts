// One recorded profile → its report, without a load run (`npm run profile -- --summarize FILE`,
// and summarize-cli.js): for a profile taken elsewhere, earlier, or by node --cpu-prof and DevTools.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { buildLineView } from './annotated-source.js'
import { parseCpuProfile } from './cpu-profile.js'
import { formatCpuReport } from './cpu-report.js'
import { summarizeCpuProfile } from './cpu-summary.js'
import { formatHeapReport } from './heap-report.js'
import { parseHeapProfile, summarizeHeapProfile } from './heap-profile.js'
import { formatRetainers, readRetainers } from './heap-snapshot-report.js'
import { formatLineView } from './line-report.js'

export interface SummarizeFileOptions {
  /** Rows per table. @default 15 */
  limit?: number
  /** Functions in the line view; 0 for none. @default 0 */
  lines?: number
  /** The checkout the profile's scripts map onto. @default process.cwd() */
  root?: string
  /** ANSI dim in the line view. @default false */
  color?: boolean
}

/** A `.heapprofile` gets the allocation table, a `.heapsnapshot` the largest retainers; anything else is read as a `.cpuprofile`. */
export async function summarizeProfileFile (
  path: string,
  { limit = 15, lines = 0, root = process.cwd(), color = false }: SummarizeFileOptions = {}
): Promise<string> {
  if (path.endsWith('.heapsnapshot')) return formatRetainers(await readRetainers(path), { limit })
  const json = await readFile(path, 'utf8')
  if (path.endsWith('.heapprofile')) return formatHeapReport(summarizeHeapProfile(parseHeapProfile(json, path), { root }), { limit })
  const profile = parseCpuProfile(json, path)
  const summary = summarizeCpuProfile(profile, { root })
  const text = formatCpuReport(summary, { limit })
  if (lines === 0) return text
  const view = buildLineView(profile, summary, { count: lines, root: resolve(root) })
  return text + '\n\n' + formatLineView(view, { count: lines, color })
}
