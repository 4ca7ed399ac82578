// `node dist/profile/summarize-cli.js <file.cpuprofile|file.heapprofile> [top]`: the
// tables of one recorded profile, for a profile taken elsewhere (node --cpu-prof, DevTools).
import { readFile } from 'node:fs/promises'
import { parseCpuProfile } from './cpu-profile.js'
import { formatCpuReport } from './cpu-report.js'
import { summarizeCpuProfile } from './cpu-summary.js'
import { formatHeapReport } from './heap-report.js'
import { parseHeapProfile, summarizeHeapProfile } from './heap-profile.js'

const [path, top = '15'] = process.argv.slice(2)
if (path === undefined) {
  process.stderr.write('usage: summarize-cli <file.cpuprofile|file.heapprofile> [top]\n')
  process.exit(64)
}
const json = await readFile(path, 'utf8')
const limit = Number(top)
process.stdout.write((path.endsWith('.heapprofile')
  ? formatHeapReport(summarizeHeapProfile(parseHeapProfile(json, path)), { limit })
  : formatCpuReport(summarizeCpuProfile(parseCpuProfile(json, path)), { limit })) + '\n')
