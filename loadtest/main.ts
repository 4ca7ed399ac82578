// `npm run loadtest`: parse the flags, start (or point at) the stack, measure, write the
// reports, print the table. Bounded: every run has a duration and a response cap, and the
// whole command a deadline, after which it stops the stack and exits.
import { loadCities } from '../src/cities/dataset.js'
import { selectAllCities, selectCities, type RequestCity } from './drive/cities.js'
import { parseCommandLine, USAGE } from './cli.js'
import { createExternalBed } from './bed/external-bed.js'
import { startStack } from '../stack/stack.js'
import { createNativeBed, type StartStack } from './bed/native-bed.js'
import { createTopologyBed } from './bed/topology-bed.js'
import { runTargets, type RedisTopology } from './targets.js'
import type { LoadTestOptions } from './options.js'
import { PROVIDER_CONTROL_SCENARIOS } from './drive/scenarios.js'
import { deadlineSeconds, sweepDeadlineSeconds } from './deadlines.js'
import { createProcFs } from './measure/process-usage.js'
import { createProgress } from './report/progress.js'
import { writeReports } from './report/write-reports.js'
import { renderTerminalReport } from './report/report-terminal.js'
import { runLoadTest } from './runner.js'
import { runSweep } from './sweep/run.js'
import { renderSweepTerminal, writeSweepReports } from './sweep/report.js'
import type { TestBed } from './bed/test-bed.js'

/** One native bed per Redis topology (two with --redis both) behind a router that reads the run target's name. */
function nativeBeds (options: Readonly<LoadTestOptions>, onNote: (line: string) => void, peerCities: () => readonly RequestCity[]): TestBed {
  const bed = (redis: RedisTopology): TestBed => createNativeBed({
    startStack: startStack satisfies StartStack,
    workers: options.workers,
    edgeStrategy: options.edgeStrategy,
    redis,
    onNote,
    // Only when a scenario acts on the provider: every other run keeps the provider one hop away.
    providerProxy: options.scenarios.some((s) => PROVIDER_CONTROL_SCENARIOS.includes(s)),
    peerCities
  })
  if (options.redis === 'single') return createTopologyBed({ single: bed('single') })
  if (options.redis === 'cluster') return createTopologyBed({ cluster: bed('cluster') })
  return createTopologyBed({ single: bed('single'), cluster: bed('cluster') })
}

async function main (): Promise<number> {
  let parsed
  try {
    parsed = parseCommandLine(process.argv.slice(2), process.stdout.isTTY === true)
  } catch (err) {
    process.stderr.write(`loadtest: ${(err as Error).message}\n\n${USAGE}`)
    return 64 // EX_USAGE
  }
  if (parsed.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const options = parsed.options
  const progress = createProgress(options.progress)
  let cities: readonly RequestCity[] = []
  const bed: TestBed = options.external === null
    ? nativeBeds(options, (line) => progress.note(line), () => cities)
    : createExternalBed(options.external)

  const abort = new AbortController()
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => (closing ??= bed.close().catch((err: unknown) => progress.note(`stopping the stack failed: ${(err as Error).message}`)))
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      // Second signal: stop now.
      void close().then(() => process.exit(130))
      return
    }
    progress.note(`${signal}: finishing the current run, then writing what was measured (again to stop now)`)
    abort.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const bound = parsed.sweep === null ? deadlineSeconds(options) : sweepDeadlineSeconds(parsed.sweep)
  const deadline = setTimeout(() => {
    progress.note(`loadtest: over its ${bound} s deadline; stopping the stack`)
    void close().then(() => process.exit(1))
  }, bound * 1000)
  deadline.unref()

  const command = ['npm run loadtest', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')
  if (parsed.sweep !== null) {
    const sweep = parsed.sweep
    progress.note(`loadtest --sweep: latency against offered load for ${sweep.targets.join(', ')} on ${sweep.scenario} ` +
      `(${sweep.fractions.length} rates × ${sweep.stepSeconds} s, p99 bound ${sweep.p99BoundMs} ms), then layered's cost against work`)
    let swept
    try {
      bed.begin(sweep.targets).catch(() => {})
      const dataset = loadCities()
      const all = selectAllCities(dataset)
      cities = all.slice(0, options.cities)
      swept = await runSweep(options, sweep, {
        bed,
        startStack: startStack satisfies StartStack,
        cities,
        allCities: all,
        dataset: new Map(dataset.map((c) => [c.id, c])),
        progress,
        procfs: createProcFs(),
        command,
        signal: abort.signal
      })
    } finally {
      await close()
      clearTimeout(deadline)
    }
    const written = await writeSweepReports(options.outDir, swept)
    process.stdout.write('\n' + renderSweepTerminal(swept))
    process.stdout.write(`\nwrote ${written.json}\n      ${written.markdown}\n      ${written.html}\n`)
    return swept.curves.length > 0 ? 0 : 1
  }
  const runOrder = runTargets(options.targets, options.redis, options.edgeStrategy, options.l1Policies)
  progress.note(`loadtest: ${runOrder.join(', ')} × ${options.scenarios.join(', ')}, ` +
    `${options.repetitions} repetition(s) of ${options.durationSeconds} s (${bed.mode} topology)`)
  let results
  try {
    // The stacks start while this process loads the cities; runLoadTest waits for them.
    bed.begin(runOrder).catch(() => {})
    // One more city than the storms use: the runner's preflight asks for it, leaving theirs cold.
    cities = selectCities(loadCities(), Math.max(options.cities, options.stormCities + 1, options.stampedeWaves + 1))
    results = await runLoadTest(options, { bed, cities, progress, procfs: createProcFs(), command, signal: abort.signal })
  } finally {
    await close()
    clearTimeout(deadline)
  }
  const written = await writeReports(options.outDir, results)
  process.stdout.write('\n' + renderTerminalReport(results))
  process.stdout.write(`\nwrote ${written.json}\n      ${written.markdown}\n      ${written.html}\n`)
  return results.results.length > 0 ? 0 : 1
}

main().then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    process.stderr.write(`loadtest: ${(err as Error).stack ?? String(err)}\n`)
    process.exitCode = 1
  }
)
