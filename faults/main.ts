// `npm run faults`: the fault matrix (issue 13). Each fault injected in the middle of a bounded
// load through nginx → 2 workers → Redis + provider; one row per fault, printed, written to
// faults-results/ as JSON and Markdown. Exit code 1 when any row misses its expected outcome.
import { matrixCatalogue, runMatrix } from './matrix.js'
import { HelpRequested, parseMatrixOptions, USAGE } from './options.js'
import { renderRowLine, renderTerminalReport } from './report-terminal.js'
import { writeReports } from './reports.js'

async function main (): Promise<number> {
  const catalogue = matrixCatalogue()
  let options
  try {
    options = parseMatrixOptions(process.argv.slice(2), catalogue.map((fault) => fault.id))
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(USAGE + '\n')
      return 0
    }
    process.stderr.write(`faults: ${(err as Error).message}\n${USAGE}\n`)
    return 2
  }
  const result = await runMatrix(options, {
    onProgress: (message) => process.stderr.write(`faults: ${message}\n`),
    onRow: (row) => process.stderr.write(renderRowLine(row) + '\n')
  })
  process.stdout.write('\n' + renderTerminalReport(result))
  const paths = await writeReports(result, catalogue, options.outDir)
  process.stdout.write(`reports: ${paths.markdown}, ${paths.json}\n`)
  return result.pass ? 0 : 1
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`faults: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
