// `npm run ladder`: every rung of the optimization ladder under the same workload, in one run,
// then ladder.json, ladder.md, ladder.html and the table on stdout. Bounded: every run has a
// duration, and the whole command a deadline after which it stops the stack and exits.
import { startStack } from '../stack/stack.js'
import { LADDER_USAGE, parseLadderArgs } from './options.js'
import { renderLadderTerminal } from './report.js'
import { ladderDeadlineSeconds, runLadder } from './runner.js'
import { writeLadderReports } from './write-reports.js'

async function main (): Promise<number> {
  let parsed
  try {
    parsed = parseLadderArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`ladder: ${(err as Error).message}\n\n${LADDER_USAGE}`)
    return 64 // EX_USAGE
  }
  if (parsed.help) {
    process.stdout.write(LADDER_USAGE)
    return 0
  }
  const options = parsed.options
  const note = (line: string): void => { process.stderr.write(line + '\n') }
  const abort = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) process.exit(130) // second signal; the stack's exit hook kills its children
    note(`${signal}: finishing the current rung, then writing what was measured (again to stop now)`)
    abort.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const seconds = ladderDeadlineSeconds(options)
  const deadline = setTimeout(() => {
    note(`ladder: over its ${seconds} s deadline; exiting (the stack's children are killed on exit)`)
    process.exit(1)
  }, seconds * 1000)
  deadline.unref()

  const command = ['npm run ladder', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')
  note(`ladder: zipf, ${options.connections} connections, ${options.durationSeconds} s per rung ` +
    `(+ ${options.profileSeconds} s profiled), out ${options.outDir}`)
  const results = await runLadder(options, { startStack, note, command, signal: abort.signal })
  clearTimeout(deadline)
  const written = await writeLadderReports(options.outDir, results)
  process.stdout.write('\n' + renderLadderTerminal(results))
  process.stdout.write(`\nwrote ${written.json}\n      ${written.markdown}\n      ${written.html}\n`)
  return results.rungs.length > 0 ? 0 : 1
}

main().then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    process.stderr.write(`ladder: ${(err as Error).stack ?? String(err)}\n`)
    process.exitCode = 1
  }
)
