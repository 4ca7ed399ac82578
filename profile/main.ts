// `npm run profile`: start the stack with worker 1 armed (or attach to an armed app), drive a
// scenario through the load-test harness, profile that worker while the load runs, print the
// report and write the files. Bounded: the load has a duration, every wait a timeout, and the
// command a deadline after which it exits (the stack's exit hook kills its children).
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { selectCities } from '../loadtest/drive/cities.js'
import { DEFAULTS as LOADTEST_DEFAULTS } from '../loadtest/options.js'
import { createProcFs } from '../loadtest/measure/process-usage.js'
import { buildScenario } from '../loadtest/drive/scenarios.js'
import type { Measurement } from '../loadtest/report/schema.js'
import { loadCities } from '../src/cities/dataset.js'
import { startStack, type Stack } from '../stack/stack.js'
import { measure, prime, warmUp, type DriveTarget } from './drive-load.js'
import { buildProfileReport } from './profile-report.js'
import { parseProfileArgs, PROFILE_USAGE } from './cli-options.js'
import { profiledAppEnv } from '../src/profile-agent/profiled-env.js'
import { resolveHeapDeltaFunction, type HeapDeltaFunction } from './heap-delta-function.js'
import { profileWorker } from './profile-worker.js'
import { summarizeProfileFile } from './summarize-file.js'

const REQUEST_TIMEOUT_S = 30

async function main (): Promise<number> {
  let parsed
  try {
    parsed = parseProfileArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`profile: ${(err as Error).message}\n\n${PROFILE_USAGE}`)
    return 64 // EX_USAGE
  }
  if (parsed.help) {
    process.stdout.write(PROFILE_USAGE)
    return 0
  }
  const o = parsed.options
  // Dim the line view's unsampled lines only for a person at a terminal (https://no-color.org).
  const color = process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === ''
  const root = resolve(o.root ?? '.')
  if (o.summarize !== null) {
    let text: string
    try {
      text = await summarizeProfileFile(o.summarize, { limit: o.top, lines: o.lines, root, color })
    } catch (err) {
      // A missing or malformed file is the user's to fix: its reason, not a stack trace.
      process.stderr.write(`profile: --summarize ${o.summarize}: ${(err as Error).message}\n`)
      return 66 // EX_NOINPUT
    }
    process.stdout.write(text + '\n')
    return 0
  }
  let heapDelta: HeapDeltaFunction | undefined
  if (o.heapDelta !== null) {
    try {
      heapDelta = resolveHeapDeltaFunction(o.heapDelta, { root })
    } catch (err) {
      process.stderr.write(`profile: ${(err as Error).message}\n`)
      return 64 // EX_USAGE
    }
  }
  const note = (line: string): void => { process.stderr.write(line + '\n') }
  const deadlineS = 120 + o.warmupSeconds + o.durationSeconds + 3 * REQUEST_TIMEOUT_S
  const deadline = setTimeout(() => {
    note(`profile: over its ${deadlineS} s deadline; exiting`)
    process.exit(1)
  }, deadlineS * 1000)
  deadline.unref()

  const outDir = resolve(o.outDir)
  await mkdir(outDir, { recursive: true })
  const profileDir = o.profileDir === null ? outDir : resolve(o.profileDir)
  let stack: Stack | undefined
  let target: DriveTarget
  const stackStarting = o.target !== null
    ? undefined
    : startStack({
      strategy: o.strategy,
      workers: o.workers,
      redis: true,
      rateLimit: false,
      accessLog: false,
      logLevel: 'warn',
      forwardOutput: false,
      appEnv: {
        ...profiledAppEnv({ outDir: profileDir, maxDurationMs: (o.durationSeconds + REQUEST_TIMEOUT_S + 30) * 1000, heapDelta: heapDelta?.env }),
        NAIVE: o.naive.length === 0 ? 'none' : o.naive.join(','),
        // A naive rung blocks its workers ~100 ms per request: a provider reply may wait in line.
        ORIGIN_TIMEOUT_MS: '10000',
        LOG_LEVEL: 'warn'
      }
    })
  // The stack starts while this process loads the cities.
  stackStarting?.catch(() => {})
  const cities = selectCities(loadCities(), o.cities)
  const scenario = buildScenario(o.scenario, cities, { ...LOADTEST_DEFAULTS, cities: o.cities })
  let measurement: Measurement | undefined
  let text: string
  try {
    if (stackStarting !== undefined) {
      stack = await stackStarting
      target = {
        loadUrl: stack.urls.nginx,
        metricsUrl: stack.urls.metrics,
        originStatsUrl: `${stack.urls.origin}/stats`,
        pids: { app: stack.pids.app, nginx: stack.pids.nginx, redis: stack.pids.redis ?? null, origin: stack.pids.origin }
      }
      note(`profile: stack up (${o.strategy}${o.naive.length > 0 ? `, NAIVE=${o.naive.join(',')}` : ''}, ${o.workers} workers) ` +
        `at ${stack.urls.nginx}; worker 1 is profiled` +
        `${heapDelta === undefined ? '' : `, with ${o.heapDelta} (${heapDelta.where}) wrapped for --heap-delta: a perturbed run`}`)
    } else {
      target = { loadUrl: o.target!, metricsUrl: null, originStatsUrl: null, pids: { app: null, nginx: null, redis: null, origin: null } }
      note(`profile: attaching to ${o.target}, profile directory ${profileDir}`)
    }
    const drive = { connections: o.connections, timeoutSeconds: REQUEST_TIMEOUT_S, maxResponses: 5_000_000, seed: o.seed }
    if (o.strategy !== 'none' || o.target !== null) await prime(target, scenario, '/weather/', drive)
    await warmUp(target, scenario, '/weather/', drive, o.warmupSeconds)
    const procfs = createProcFs()
    const artifacts = await profileWorker({
      outDir: profileDir,
      timeoutMs: (o.durationSeconds + REQUEST_TIMEOUT_S + 30) * 1000,
      heapSnapshot: o.heapSnapshot,
      during: async () => {
        measurement = await measure(target, scenario, '/weather/', { ...drive, procfs, durationSeconds: o.durationSeconds, route: '/weather/:city' })
      }
    })
    const report = await buildProfileReport(artifacts, {
      limit: o.top,
      lines: o.lines,
      root,
      color,
      heapDeltaWhere: heapDelta?.where,
      title: `worker ${artifacts.pid} under ${o.scenario} (${o.strategy}${o.naive.length > 0 ? `, NAIVE=${o.naive.join(',')}` : ''})`
    })
    text = report.text
  } finally {
    await stack?.stop()
    clearTimeout(deadline)
  }
  const m = measurement!
  const cpu = m.resources.app?.cpuMicrosPerRequest
  process.stdout.write([
    `Load (${o.scenario}, ${o.connections} connections, ${o.durationSeconds} s, the whole cluster while worker 1 was profiled): ` +
      `${Math.round(m.requestsPerSecond).toLocaleString('en-US')} req/s, p50 ${m.latencyMs.p50.toFixed(2)} ms, p99 ${m.latencyMs.p99.toFixed(2)} ms, ` +
      `${m.non2xx} non-2xx, ${m.errors} errors${m.originCalls === null ? '' : `, ${m.originCalls} origin calls`}` +
      `${cpu === null || cpu === undefined ? '' : `, ${Math.round(cpu)} µs app CPU/request`}`,
    '',
    text,
    ''
  ].join('\n'))
  return 0
}

main().then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    process.stderr.write(`profile: ${(err as Error).stack ?? String(err)}\n`)
    process.exitCode = 1
  }
)
