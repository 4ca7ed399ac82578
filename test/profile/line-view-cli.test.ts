// `npm run profile -- --summarize FILE --lines N`: the line view of a recorded profile from the
// command line, without a load run; and the options that ask for it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { LINE_HEADER } from '../../profile/line-report.js'
import { parseProfileArgs } from '../../profile/cli-options.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const MAIN = join(ROOT, 'dist/profile/main.js')
const WORKLOAD = join(ROOT, 'dist/test/profile/line-view-workload.js')
const run = promisify(execFile)

async function profile (...args: string[]): Promise<string> {
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  const { stdout } = await run(process.execPath, [MAIN, ...args], { cwd: ROOT, env, timeout: 30_000 })
  return stdout
}

test('--summarize a fresh profile --lines 3: three of our functions, each its TypeScript lines with their samples', { timeout: 60_000 }, async () => {
  // Recorded here, of code no change to src/ can move: a fixture of an older build would name
  // lines that have since moved (the view skips those, as "Not shown: … not the build").
  const dir = mkdtempSync(join(tmpdir(), 'line-cli-'))
  await run(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, WORKLOAD, '1500'], { cwd: ROOT, timeout: 30_000 })
  const recorded = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
  assert.ok(recorded !== undefined, 'node --cpu-prof wrote a profile')
  const stdout = await profile('--summarize', join(dir, recorded), '--lines', '3')
  // After the function tables, as in a profiling run.
  assert.ok(stdout.indexOf('Line view (cf. kernprof -l -v): the top 3 functions') > stdout.indexOf('by total time'))
  const blocks = stdout.split(/^Function: /m).slice(1)
  assert.equal(blocks.length, 3, stdout)
  for (const block of blocks) {
    const head = /^(\S+) at (\S+\.ts):(\d+)\nTotal time: ([\d.]+) ms \((\d+) samples?[;)]/.exec(block)
    assert.ok(head !== null, block)
    assert.match(head[2]!, /^test\/profile\/line-view-(target|workload)\.ts$/, 'mapped back to the TypeScript source')
    const samples = Number(head[5])
    assert.ok(samples > 0)
    assert.ok(block.includes(LINE_HEADER))
    // Rows: the function's first line first; samples on some lines, and they add up to the total.
    const rows = block.split('\n').filter((line) => /^ +(\d+|\?)( |$)/.test(line))
    assert.match(rows[0]!, new RegExp(`^ +${head[3]} `), 'starts at the function\'s line')
    const counted = rows.map((line) => /^ +(?:\d+|\?) +(\d+) +[\d.]+ +[\d.]+ /.exec(line)).filter((m) => m !== null)
    assert.ok(counted.length > 0, 'some lines have samples')
    assert.equal(counted.reduce((sum, m) => sum + Number(m[1]), 0), samples)
    assert.ok(rows.length > counted.length, 'lines without samples are shown too')
  }
  assert.match(stdout, /^Samples, not hits: /m)
  assert.ok(!stdout.includes('\u001b['), 'no ANSI codes when stdout is not a terminal')
})

test('--summarize never crashes on scripts it cannot find: it says so', { timeout: 60_000 }, async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'line-cli-')), 'elsewhere.cpuprofile')
  const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber, columnNumber: 9, scriptId: '1' })
  writeFileSync(file, JSON.stringify({
    nodes: [
      { id: 1, callFrame: frame('(root)', '', -1), children: [2] },
      { id: 2, callFrame: frame('gone', 'file:///srv/app/dist/src/gone.js', 4), hitCount: 2, positionTicks: [{ line: 6, ticks: 2 }] }
    ],
    startTime: 0,
    endTime: 2000,
    samples: [2, 2],
    timeDeltas: [0, 1000]
  }))
  const stdout = await profile('--summarize', file, '--lines')
  assert.match(stdout, /^Not shown: gone \(\/srv\/app\/dist\/src\/gone\.js:5, 2 samples\): script not found \(looked for dist\/src\/gone\.js, \/srv\/app\/dist\/src\/gone\.js\)$/m)
  assert.match(stdout, /^No function of our own code could be shown line by line\.$/m)
})

test('options: --lines [N] (bare: 5), --summarize FILE, --root DIR; the usage text names them', async () => {
  assert.equal(parseProfileArgs([]).options.lines, 0)
  assert.equal(parseProfileArgs(['--lines']).options.lines, 5)
  assert.equal(parseProfileArgs(['--lines', '--quick']).options.lines, 5)
  assert.equal(parseProfileArgs(['--lines', '--quick']).options.quick, true)
  assert.equal(parseProfileArgs(['--lines', '3', '--quick']).options.lines, 3)
  assert.equal(parseProfileArgs(['--lines=7']).options.lines, 7)
  assert.throws(() => parseProfileArgs(['--lines', '0']), /--lines="0": expected an integer from 1 to 100/)
  assert.throws(() => parseProfileArgs(['--lines', 'x']), /--lines="x"/)
  const summarize = parseProfileArgs(['--summarize', 'a.cpuprofile', '--root', '/srv/app']).options
  assert.deepEqual([summarize.summarize, summarize.root], ['a.cpuprofile', '/srv/app'])
  assert.throws(() => parseProfileArgs(['--summarize', 'a.heapprofile', '--lines']), /--lines needs a \.cpuprofile/)
  assert.throws(() => parseProfileArgs(['--summarize', 'a.cpuprofile', '--target', 'http://127.0.0.1:1', '--profile-dir', '/p']), /one or the other/)
  const usage = await profile('--help')
  assert.match(usage, /^ {2}--lines \[N\] +after the tables, the line view \(cf\. kernprof -l -v\)/m)
  assert.match(usage, /^ {2}--summarize FILE /m)
  assert.match(usage, /^ {2}--root DIR /m)
})
