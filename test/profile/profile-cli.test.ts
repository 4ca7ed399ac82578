// `npm run profile` end to end: a real stack (nginx → one worker), a short zipf load, one worker
// profiled; the files on disk, and a table in which the route handler's own functions appear.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parseProfileArgs } from '../../profile/cli-options.js'

const MAIN = fileURLToPath(new URL('../../profile/main.js', import.meta.url))
const run = promisify(execFile)

test('npm run profile -- --quick --lines 3 --heap-snapshot --out DIR: cpuprofile, flame graph, heap profile, the hit\'s own functions by name and ' +
  'line by line, memory over time, the largest retainers', {
  timeout: 120_000
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'profile-cli-'))
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  const { stdout } = await run(
    process.execPath,
    [
      MAIN,
      '--quick',
      '--duration', '1.5',
      '--warmup', '0',
      '--cities', '50',
      '--strategy', 'memory',
      '--workers', '1',
      '--connections', '8',
      '--top', '60',
      '--lines', '3',
      '--heap-snapshot',
      '--out', out
    ],
    { env, timeout: 110_000 }
  )
  const files = readdirSync(out)
  const one = (suffix: string): string => {
    const found = files.filter((f) => f.endsWith(suffix))
    assert.equal(found.length, 1, `one ${suffix} in ${files.join(', ')}`)
    return join(out, found[0]!)
  }
  const cpu = JSON.parse(readFileSync(one('.cpuprofile'), 'utf8')) as { nodes: unknown[], samples: unknown[] }
  assert.ok(cpu.nodes.length > 50 && cpu.samples.length > 100, `${cpu.samples.length} samples`)
  assert.ok(JSON.parse(readFileSync(one('.heapprofile'), 'utf8')).head !== undefined)
  const flame = readFileSync(one('.flame.html'), 'utf8')
  assert.match(flame, /^<!doctype html>/i)
  assert.doesNotMatch(flame, /<script[^>]+src=/, 'self-contained')

  assert.match(stdout, /^Load \(zipf, 8 connections, 1\.5 s.*\): [\d,]+ req\/s, p50 [\d.]+ ms, p99 [\d.]+ ms, 0 non-2xx, 0 errors/m)
  const selfTable = stdout.slice(stdout.indexOf('by self time'), stdout.indexOf('by total time'))
  const totalTable = stdout.slice(stdout.indexOf('by total time'), stdout.indexOf('Line view'))
  assert.match(selfTable, /self ms +self % +total ms +total % +samples +function +where +code/)
  // The route's own functions, by name, with their file:line, marked as our code: warm, every
  // answer is an L1 hit, taken by the hit fast path before Fastify's router.
  assert.match(stdout, /\bhitFastPath +dist\/src\/routes\/hit-fast-path\.js:\d+ +own/)
  // Our code is told apart from the rest. Which others make a short run's top rows is sampling
  // luck (warm hits on the fast path rarely enter a dependency): the classification itself,
  // dependencies included, is asserted on fixed profiles in cpu-summary.test.ts.
  assert.match(totalTable + selfTable, / (node|native|dependency)\n/)
  // The line view, after the function tables: our functions in TypeScript, from this very build (so none is taken for stale).
  const lineView = stdout.slice(stdout.indexOf('Line view'), stdout.indexOf('Sampling heap profile'))
  assert.ok(stdout.indexOf('Line view') > stdout.indexOf('by total time'))
  assert.match(lineView, /^Function: \S+ at src\/\S+\.ts:\d+\nTotal time: [\d.]+ ms \(\d+ samples?/m)
  assert.match(lineView, /^ +\d+ +\d+ +[\d.]+ +[\d.]+ +\S/m, 'a line with its samples')
  assert.doesNotMatch(lineView, /is not the build the profile ran/)
  const sources = (JSON.parse(/<script type="application\/json" id="flame-data">([\s\S]*?)<\/script>/.exec(flame)![1]!) as { sources: unknown[] }).sources
  assert.ok(sources.length > 0, 'the flame graph carries our functions\' lines')
  assert.match(stdout, /Sampling heap profile: [\d.]+ KiB sampled/)
  assert.match(stdout, /Runtime over [\d.]+ s: heap used [\d.]+–[\d.]+ MiB, RSS [\d.]+–[\d.]+ MiB/)
  assert.match(stdout, /GC: \d+ pauses/)
  assert.match(stdout, /Event loop: delay p50 [\d.]+ ms, p99 [\d.]+ ms/)

  // The memory view: allocation sites said to be functions, memory over time, the retainers.
  assert.match(stdout, /attributes allocations to functions, not lines/)
  const timeline = stdout.slice(stdout.indexOf('Memory over time'), stdout.indexOf('Heap snapshot'))
  assert.match(timeline, /^Memory over time \(cf\. mprof run.*\): every 100 ms over [\d.]+ s, 1 worker, MiB/)
  for (const series of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers']) {
    assert.match(timeline, new RegExp(`^(worker 1 \\(pid \\d+, profiled\\))? +${series} +[\\d.]+ +[\\d.]+ +[\\d.]+ +[\\d.]+ +[▁▂▃▄▅▆▇█]+$`, 'm'), series)
  }
  assert.match(timeline, /^ +GC pauses .*\d+.*, [\d.]+ ms, longest [\d.]+ ms$/m)
  const memoryPage = readFileSync(one('.memory.html'), 'utf8')
  assert.doesNotMatch(memoryPage, /<script[^>]+src=/, 'self-contained')
  assert.match(memoryPage, /<canvas id="chart-memory-0">/)
  one('.heapsnapshot')
  const retainers = stdout.slice(stdout.indexOf('Heap snapshot'), stdout.indexOf('Files:'))
  assert.match(retainers, /^Heap snapshot \S+\.heapsnapshot: [\d.]+ MiB in [\d,]+ objects/)
  assert.match(retainers, /^ *count +shallow KiB +shallow % +retained KiB +retained % +constructor$/m)
  const rows = retainers.split('\n').filter((line) => /^ *[\d,]+ +[\d.]+ +[\d.]+% +[\d.]+ +[\d.]+% +\S/.test(line))
  assert.equal(rows.length, 15, 'the top 15 constructors (--top 60 is capped by the table\'s own limit)')
})

test('profile options: --quick, explicit flags win, bad values named, attach needs a loopback target and its profile directory', () => {
  const quick = parseProfileArgs(['--quick', '--duration', '5', '--out', 'x']).options
  assert.equal(quick.durationSeconds, 5)
  assert.equal(quick.warmupSeconds, 0.5)
  assert.equal(quick.quick, true)
  assert.deepEqual(parseProfileArgs(['--naive', 'all']).options.naive, ['resolver', 'serialize', 'connection'])
  assert.throws(() => parseProfileArgs(['--strategy', 'fast']), /--strategy="fast": expected one of none, memory/)
  assert.throws(() => parseProfileArgs(['--naive', 'resolver,magic']), /--naive="resolver,magic": expected a comma-separated list of resolver, serialize, connection/)
  assert.throws(() => parseProfileArgs(['--duration', '0']), /--duration="0"/)
  assert.throws(() => parseProfileArgs(['--target', 'http://10.0.0.1:8080', '--profile-dir', '/tmp/p']), /loopback only/)
  assert.throws(() => parseProfileArgs(['--target', 'http://127.0.0.1:8080']), /--profile-dir/)
  assert.equal(parseProfileArgs(['--target', 'http://127.0.0.1:8080/', '--profile-dir', '/tmp/p']).options.target, 'http://127.0.0.1:8080')
  const memory = parseProfileArgs(['--quick', '--heap-snapshot', '--heap-delta', 'resolveCity']).options
  assert.deepEqual([memory.heapSnapshot, memory.heapDelta], [true, 'resolveCity'])
  assert.deepEqual([quick.heapSnapshot, quick.heapDelta], [false, null], 'neither unless asked for')
  assert.throws(() => parseProfileArgs(['--heap-delta', 'x', '--target', 'http://127.0.0.1:8080', '--profile-dir', '/tmp/p']), /--heap-delta .* not --target/)
  assert.throws(() => parseProfileArgs(['--summarize', 'a.cpuprofile', '--heap-snapshot']), /--summarize reads a recorded file/)
  assert.throws(() => parseProfileArgs(['--summarize', 'a.heapsnapshot', '--lines']), /--lines needs a \.cpuprofile/)
})
