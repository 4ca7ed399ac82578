// The line view on small hand-made profiles of a real module of this repository (line-view-target.ts,
// its built .js and source map; lines found by their contents): per-line samples added up over a
// function's nodes, mapped to TypeScript, every line of the function shown; and what happens when
// a file is missing or stale.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildLineView, type AnnotatedFunction, type LineView } from '../../profile/annotated-source.js'
import type { CallFrame, CpuProfile, PositionTick } from '../../profile/cpu-profile.js'
import { summarizeCpuProfile } from '../../profile/cpu-summary.js'
import { formatLineView, LINE_HEADER } from '../../profile/line-report.js'
import { lineTicks } from '../../profile/line-summary.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const JS = join(ROOT, 'dist/test/profile/line-view-target.js')
const TS = join(ROOT, 'test/profile/line-view-target.ts')
const jsLines = readFileSync(JS, 'utf8').split('\n')
const tsLines = readFileSync(TS, 'utf8').split('\n')
const lineIn = (lines: string[], needle: string, from = 0): number => {
  const index = lines.findIndex((line, i) => i >= from && line.includes(needle))
  assert.ok(index >= 0, needle)
  return index + 1
}
const js = (needle: string): number => lineIn(jsLines, needle)
const ts = (needle: string): number => lineIn(tsLines, needle)

/** Recorded on another machine: the line view finds the script under this checkout's dist/. */
const RECORDED_URL = 'file:///elsewhere/checkout/dist/test/profile/line-view-target.js'
const DECL = js('export function normalizeName(')
const normalizeFrame = (lineNumber = DECL - 1, url = RECORDED_URL): CallFrame =>
  ({ functionName: 'normalizeName', url, lineNumber, columnNumber: jsLines[DECL - 1]!.indexOf('('), scriptId: '1' })
const native = (functionName: string): CallFrame => ({ functionName, url: '', lineNumber: -1, columnNumber: -1, scriptId: '0' })

/**
 * normalizeName on two stacks (two nodes, one function): 2 samples on `const trimmed`, 1 + 3
 * on `return words…`, each sample 1 ms.
 */
function profileOf (frame: CallFrame, ticks: [PositionTick[], PositionTick[]] = [
  [{ line: js('const trimmed = raw.trim()'), ticks: 2 }, { line: js('return words.join'), ticks: 1 }],
  [{ line: js('return words.join'), ticks: 3 }]
]): CpuProfile {
  const hits = ticks.map((list) => list.reduce((sum, t) => sum + t.ticks, 0))
  return {
    nodes: [
      { id: 1, callFrame: native('(root)'), children: [2, 3] },
      { id: 2, callFrame: native('firstCaller'), children: [4] },
      { id: 3, callFrame: native('secondCaller'), children: [5] },
      { id: 4, callFrame: frame, hitCount: hits[0], positionTicks: ticks[0] },
      { id: 5, callFrame: frame, hitCount: hits[1], positionTicks: ticks[1] }
    ],
    startTime: 0,
    endTime: 1000 * (hits[0]! + hits[1]!),
    samples: [...Array(hits[0]).fill(4), ...Array(hits[1]).fill(5)],
    timeDeltas: [0, ...Array(hits[0]! + hits[1]! - 1).fill(1000)]
  }
}

const viewOf = (profile: CpuProfile, root = ROOT): LineView => buildLineView(profile, summarizeCpuProfile(profile, { root }), { count: 5, root })
const only = (view: LineView): AnnotatedFunction => {
  assert.equal(view.functions.length, 1)
  const fn = view.functions[0]!
  assert.equal(fn.kind, 'annotated', fn.kind === 'skipped' ? fn.reason : '')
  return fn as AnnotatedFunction
}

test('line ticks: two nodes of one function add up; stacks under the profiler are left out', () => {
  const profile = profileOf(normalizeFrame())
  const PROFILER = 'file:///repo/dist/src/profile-agent/worker-profiler.js'
  profile.nodes[0]!.children!.push(6)
  profile.nodes.push(
    { id: 6, callFrame: { functionName: 'stop', url: PROFILER, lineNumber: 3, columnNumber: 0 }, children: [7] },
    { id: 7, callFrame: normalizeFrame(), positionTicks: [{ line: js('const trimmed = raw.trim()'), ticks: 50 }] }
  )
  const ticks = lineTicks(profile)
  assert.equal(ticks.size, 1)
  const entry = [...ticks.values()][0]!
  assert.equal(entry.samples, 6)
  assert.deepEqual([...entry.ticks].sort((a, b) => a[0] - b[0]), [[js('const trimmed = raw.trim()'), 2], [js('return words.join'), 4]])
})

test('the function\'s TypeScript lines, start to closing brace: samples per line, 0 on the others, shares summing to 100%', () => {
  const fn = only(viewOf(profileOf(normalizeFrame())))
  assert.equal(fn.name, 'normalizeName')
  assert.equal(fn.file, 'test/profile/line-view-target.ts')
  assert.equal(fn.language, 'typescript')
  const start = ts('export function normalizeName (')
  const end = tsLines.indexOf('}', start) + 1 // its closing brace: the first line after the start that is only one
  assert.ok(end > start)
  assert.equal(fn.line, start)
  assert.deepEqual(fn.rows.map((r) => r.line), Array.from({ length: end - start + 1 }, (_, i) => start + i), 'every line, none skipped')
  assert.equal(fn.rows[0]!.text, tsLines[start - 1])
  const row = (needle: string) => fn.rows.find((r) => r.text.includes(needle))!
  assert.equal(row('const trimmed: string = raw.trim()').samples, 2)
  assert.equal(row('return words.join').samples, 4, '1 + 3 from the two nodes')
  assert.equal(row('if (trimmed.length === 0)').samples, 0, 'a line without samples is a row with 0')
  assert.notEqual(js('return words.join'), ts('return words.join'), 'the map did the work: the built line is another')
  assert.equal(fn.samples, 6)
  assert.ok(Math.abs(fn.rows.reduce((sum, r) => sum + r.share, 0) - 1) < 1e-9, 'shares sum to 100%')
  assert.equal(fn.timeUs, 6000, '6 samples × 1 ms')
  assert.deepEqual([fn.unmapped, fn.outside, fn.notes], [null, null, []])
})

test('the terminal view: kernprof\'s layout, unsampled lines with empty columns, dimmed only on a terminal', () => {
  const view = viewOf(profileOf(normalizeFrame()))
  const text = formatLineView(view, { count: 1 })
  const start = ts('export function normalizeName (')
  assert.match(text, new RegExp(`^Function: normalizeName at test/profile/line-view-target\\.ts:${start}\\nTotal time: 6\\.0 ms \\(6 samples\\)$`, 'm'))
  assert.ok(text.includes(LINE_HEADER + '\n' + '='.repeat(LINE_HEADER.length)))
  const returnLine = ts('return words.join')
  assert.match(text, new RegExp(`^ +${returnLine} +4 +4\\.0 +66\\.7 +return words\\.join`, 'm'))
  const empty = ts('if (trimmed.length === 0)')
  assert.ok(text.includes(`\n${String(empty).padStart(6)}${' '.repeat(30)}  if (trimmed.length === 0)`), 'empty samples, time and % columns')
  assert.match(text, /Samples, not hits/)
  assert.ok(!text.includes('\u001b'))
  const colored = formatLineView(view, { count: 1, color: true })
  assert.ok(colored.includes(`\u001b[2m${String(empty).padStart(6)}`), 'an unsampled line is dimmed')
  assert.doesNotMatch(colored, new RegExp(`\\u001b\\[2m +${returnLine} `), 'a sampled one is not')
})

test('samples V8 put on a line outside the function get a row of their own, still in the 100%', () => {
  const outsideLine = js('return text.toUpperCase()') // shout's body
  const fn = only(viewOf(profileOf(normalizeFrame(), [[{ line: js('const trimmed = raw.trim()'), ticks: 3 }], [{ line: outsideLine, ticks: 1 }]])))
  assert.deepEqual(fn.outside, { samples: 1, share: 0.25, lines: [ts('return text.toUpperCase()')] })
  assert.equal(fn.rows[fn.rows.length - 1]!.text, '}', 'the function is not stretched to the stray line')
  assert.ok(Math.abs(fn.rows.reduce((sum, r) => sum + r.share, 0) + fn.outside!.share - 1) < 1e-9)
  assert.match(formatLineView(viewOf(profileOf(normalizeFrame(), [[{ line: js('const trimmed'), ticks: 3 }], [{ line: outsideLine, ticks: 1 }]]))),
    /^ +\? +1 +1\.0 +25\.0 +\(line \d+, outside the function/m)
})

test('what cannot be shown is said: no source map → the JavaScript; no source → the JavaScript; no script or a stale one → skipped', () => {
  // A checkout with the built script but without its map.
  const bare = mkdtempSync(join(tmpdir(), 'line-view-'))
  mkdirSync(join(bare, 'dist/test/profile'), { recursive: true })
  copyFileSync(JS, join(bare, 'dist/test/profile/line-view-target.js'))
  const noMap = only(viewOf(profileOf(normalizeFrame()), bare))
  assert.equal(noMap.language, 'javascript')
  assert.equal(noMap.file, 'dist/test/profile/line-view-target.js')
  assert.match(noMap.notes[0]!, /^no source map \(.*line-view-target\.js\.map not found\): the built JavaScript is shown$/)
  assert.equal(noMap.line, DECL)
  assert.equal(noMap.rows.find((r) => r.text.includes('return words.join'))!.samples, 4)
  assert.equal(noMap.rows[noMap.rows.length - 1]!.text, '}')
  assert.match(formatLineView(viewOf(profileOf(normalizeFrame()), bare)), /^Note: no source map/m)

  // The map, but no TypeScript beside it.
  copyFileSync(JS + '.map', join(bare, 'dist/test/profile/line-view-target.js.map'))
  const noSource = only(viewOf(profileOf(normalizeFrame()), bare))
  assert.equal(noSource.language, 'javascript')
  assert.match(noSource.notes[0]!, /^source test\/profile\/line-view-target\.ts not found: the built JavaScript is shown$/)

  // No script at all, and a script that is not the build the profile ran (the function moved).
  const gone = viewOf(profileOf(normalizeFrame(DECL - 1, 'file:///elsewhere/checkout/dist/test/profile/gone.js')))
  assert.equal(gone.functions[0]!.kind, 'skipped')
  assert.match(gone.functions[0]!.kind === 'skipped' ? gone.functions[0]!.reason : '', /^script not found \(looked for dist\/test\/profile\/gone\.js, /)
  // A sample on a comment inside the function is not taken for another build: V8 credits inlined
  // code with the callee's line numbers (a live profile of this build showed one on a comment).
  const tick = (needle: string): PositionTick[] => [{ line: js(needle), ticks: 1 }]
  const onComment = viewOf(profileOf(normalizeFrame(), [tick('const trimmed = raw.trim()'), tick('// Whitespace around a name')]))
  assert.deepEqual(onComment.functions.map((f) => f.kind), ['annotated'])
  // A comment outside the function is a position of inlined code (another script's line), not another build.
  const inlined = only(viewOf(profileOf(normalizeFrame(), [tick('const trimmed = raw.trim()'), tick('/** Trimmed')])))
  assert.deepEqual(inlined.outside?.lines, [ts('/** Trimmed')])
  const stale = viewOf(profileOf(normalizeFrame(DECL + 2)))
  assert.deepEqual(stale.functions.map((f) => f.kind === 'skipped' && f.cause), ['stale'])
  const text = formatLineView(stale, { count: 3 })
  assert.match(text, /^Not shown: normalizeName \(\/elsewhere\/checkout\/dist\/test\/profile\/line-view-target\.js:\d+, 6 samples\): .*is not the build the profile ran/m)
  assert.match(text, /^1 of our functions ran in a build other than the one on disk/m)
  assert.match(text, /^No function of our own code could be shown line by line\.$/m)
})
