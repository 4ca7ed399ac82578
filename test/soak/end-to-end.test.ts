// `npm run soak`, short: a real native stack (nginx → 2 workers → redis-server + provider) under
// the mixed load for 45 s, then the files it wrote, and its report in a real Chromium, offline.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { before, test } from 'node:test'
import { requireBinary } from '../../stack/binaries.js'
import { drawnCharts, openOffline } from '../helpers/browser.js'
import { INVALID_INPUTS, REQUEST_KINDS } from '../../soak/mix.js'
import { chartId } from '../../soak/report-html.js'
import type { SoakResult } from '../../soak/run.js'

const MAIN = fileURLToPath(new URL('../../soak/main.js', import.meta.url))
const SECONDS = 45

interface Run { code: number | null, stdout: string, stderr: string, out: string, result: SoakResult }
let run: Run

before(async () => {
  // A missing binary fails the test (scripts/ensure-system-packages.sh installs them), never skips it.
  for (const bin of ['nginx', 'redis-server']) requireBinary(bin)
  const out = join(mkdtempSync(join(tmpdir(), 'soak-e2e-')), 'results')
  const args = ['--seconds', String(SECONDS), '--rate', '100', '--interval', '1', '--out', out]
  const { code, stdout, stderr } = await new Promise<{ code: number | null, stdout: string, stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.on('exit', (exitCode) => resolve({ code: exitCode, stdout, stderr }))
  })
  const json = join(out, 'soak.json')
  assert.ok(existsSync(json), `no soak.json (exit ${code})\n${stderr}\n${stdout}`)
  run = { code, stdout, stderr, out, result: JSON.parse(readFileSync(json, 'utf8')) as SoakResult }
}, { timeout: 150_000 })

test('a short soak passes: every kind sent, each answered as it must be, nothing growing', () => {
  const { code, stdout, stderr, result } = run
  assert.equal(code, 0, `exit ${code}: ${result.failures.join('; ')}\n${stderr}\n${stdout}`)
  assert.equal(result.passed, true)
  assert.deepEqual(result.failures, [])
  assert.ok(Math.abs(result.elapsedSeconds - SECONDS) < 3, `ran ${result.elapsedSeconds} s`)
  const kinds = result.load.kinds
  for (const kind of REQUEST_KINDS) {
    assert.ok(kinds[kind].sent > 0, `${kind} sent`)
    assert.equal(kinds[kind].errors, 0, `${kind}: no request without an answer`)
    assert.equal(kinds[kind].unexpected, 0, `${kind}: every answer as expected`)
  }
  const statuses = (kind: typeof REQUEST_KINDS[number]): string[] => Object.keys(kinds[kind].statuses).sort()
  // Non-2xx only where expected: invalid inputs are 4xx, purges 204, conditional requests 304 (or 200).
  assert.deepEqual(statuses('hit'), ['200'])
  assert.deepEqual(statuses('cold'), ['200'])
  assert.deepEqual(statuses('purge'), ['204'])
  assert.ok(statuses('conditional').every((s) => s === '200' || s === '304'))
  assert.ok((kinds.conditional.statuses['304'] ?? 0) > 0, 'a remembered ETag was answered 304')
  assert.deepEqual(statuses('invalid'), [...new Set(INVALID_INPUTS.map((i) => String(i.status)))].sort())
  const total = REQUEST_KINDS.reduce((sum, kind) => sum + kinds[kind].sent, 0)
  assert.equal(total, result.load.sent)
  assert.equal(result.load.skipped, 0)
  assert.ok(result.load.sent > 100 * (SECONDS - 5), `fixed rate held: ${result.load.sent} requests`)
  // Nothing flagged; every series of the issue measured (the L1 gauges may be absent, then said so).
  assert.deepEqual(result.series.filter((s) => s.judgement.verdict === 'growing').map((s) => s.id), [])
  for (const id of ['worker-1.rss', 'worker-2.rss', 'worker-1.anon', 'worker-2.anon', 'worker-1.heap-used', 'worker-2.heap-used', 'worker-1.outside-heap',
    'worker-1.fds', 'worker-2.sockets', 'workers.heap-used', 'workers.event-loop-p99', 'redis.used-memory', 'redis.keys', 'primary.sockets', 'nginx.sockets']) {
    const s = result.series.find((x) => x.id === id)
    assert.ok(s !== undefined && s.values.filter((v) => v !== null).length >= SECONDS - 5, `${id} sampled every second`)
  }
  for (const id of ['l1.entries', 'l1.bytes']) {
    const s = result.series.find((x) => x.id === id)!
    if (s.judgement.verdict === 'absent') assert.ok(result.notes.some((n) => n.includes('cachestack_l1_')), `${id} absent, and said so`)
    else assert.ok(s.stats.max! > 0, `${id} measured`)
  }
  // The probe's per-worker heap adds up to what the metrics listener sums (both sampled within a few ms).
  const perWorker = ['worker-1.heap-used', 'worker-2.heap-used'].map((id) => result.series.find((s) => s.id === id)!.stats.median!)
  const summed = result.series.find((s) => s.id === 'workers.heap-used')!.stats.median!
  assert.ok(Math.abs(perWorker[0]! + perWorker[1]! - summed) < 0.5 * summed, `${perWorker.join(' + ')} vs ${summed}`)
  // Memory cannot be judged in 45 s (V8 still sizes its heap): said, not guessed.
  assert.equal(result.series.find((s) => s.id === 'worker-1.rss')!.judgement.verdict, 'too-short')
  assert.match(stdout, /slope \(2nd half\)/)
  assert.match(stdout, /^PASSED/m)
  assert.ok(existsSync(join(run.out, 'report.html')))
})

test('the soak report renders offline in Chromium, one drawn chart per series', { timeout: 60_000 }, async () => {
  const { result } = run
  const { page, requests, errors, close } = await openOffline(join(run.out, 'report.html'), { width: 1300, height: 900 })
  try {
    await page.waitForFunction('document.body.getAttribute("data-charts") !== "0"', undefined, { timeout: 10_000 })
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'the report must not load anything from the network')
    const charts = await drawnCharts(page, '__soakCharts')
    assert.deepEqual(charts.map((c) => c.id).sort(), result.series.map((s) => chartId(s.id)).sort())
    for (const chart of charts) {
      const series = result.series.find((s) => chartId(s.id) === chart.id)!
      assert.ok(chart.width > 100 && chart.height > 100, `${chart.id} has a size`)
      assert.equal(chart.datasets[0], series.label)
      assert.equal(chart.first.length, result.samples.t.length, `${chart.id}: one point per sample`)
      if (series.judgement.verdict === 'absent') continue
      // Axes, labels and a line: a drawn chart paints a fair share of its canvas in several colours.
      assert.ok(chart.painted > 0.02, `${chart.id}: only ${(chart.painted * 100).toFixed(2)}% of pixels painted`)
      assert.ok(chart.colors >= 3, `${chart.id}: ${chart.colors} colours`)
    }
    await page.screenshot({ path: join(run.out, 'report.png'), fullPage: true })
  } finally {
    await close()
  }
})
