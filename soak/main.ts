// `npm run soak`: parse the flags, run the soak against a fresh native stack, write soak.json and
// report.html, print the tables, and exit 1 when anything grew or answered wrongly. Bounded: the
// whole command has a deadline, after which it stops the stack and exits.
import { loadCities } from '../src/cities/dataset.js'
import { startStack } from '../stack/stack.js'
import { parseCommandLine, USAGE } from './cli.js'
import { writeReports } from './reports.js'
import { renderTerminalReport } from './report-terminal.js'
import { runSoak } from './run.js'

/** Generous bound on the whole command: stack start, the load, the last answers, stopping. */
const deadlineSeconds = (durationSeconds: number): number => durationSeconds + 180

async function main (): Promise<number> {
  let parsed
  try {
    parsed = parseCommandLine(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`soak: ${(err as Error).message}\n\n${USAGE}`)
    return 64 // EX_USAGE
  }
  if (parsed.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const { options } = parsed
  const note = (line: string): void => { process.stderr.write(line + '\n') }
  const abort = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) process.exit(130) // second signal: the stack's exit hook kills what is left
    note(`${signal}: ending the load now, then judging and writing what was measured (again to stop at once)`)
    abort.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const deadline = setTimeout(() => {
    note(`soak: over its ${deadlineSeconds(options.durationSeconds)} s deadline; exiting (the stack is killed on exit)`)
    process.exit(1)
  }, deadlineSeconds(options.durationSeconds) * 1000)
  deadline.unref()

  const command = ['npm run soak', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')
  const result = await runSoak(options, { startStack, loadCities, command, onNote: note, signal: abort.signal })
  clearTimeout(deadline)
  const written = await writeReports(options.outDir, result)
  process.stdout.write('\n' + renderTerminalReport(result))
  process.stdout.write(`\nwrote ${written.json}\n      ${written.html}\n`)
  return result.passed ? 0 : 1
}

main().then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`)
    process.exitCode = 1
  }
)
