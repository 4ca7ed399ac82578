// --heap-delta: the wrapper installed from inside the target module by a load hook, in a child
// process as in the profiled worker; call counts exact, bytes per call near what the function
// allocates, and what cannot be wrapped says why.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { resolveHeapDeltaFunction } from '../../profile/heap-delta-function.js'
import { formatHeapDelta } from '../../profile/heap-delta-report.js'
import type { HeapDeltaStats } from '../../src/profile-agent/heap-delta.js'
import { parseHeapDeltaTarget, withHeapDeltaWrapper } from '../../src/profile-agent/heap-delta-target.js'

const run = promisify(execFile)
const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)))
const MODULE = new URL('./heap-delta-module.js', import.meta.url).href
const AGENT = new URL('../../src/profile-agent/heap-delta.js', import.meta.url).href

/** In a fresh process: install the recorder, load the module, call `calls` before and during a session. */
async function measure (target: string, calls: string): Promise<HeapDeltaStats> {
  const dir = mkdtempSync(join(tmpdir(), 'heap-delta-'))
  const script = join(dir, 'child.mjs')
  writeFileSync(script, `
import { installHeapDelta } from '${AGENT}'
import { parseHeapDeltaTarget } from '${AGENT.replace('heap-delta.js', 'heap-delta-target.js')}'
const recorder = installHeapDelta(parseHeapDeltaTarget(${JSON.stringify(`${MODULE}#${target}`)}))
const m = await import('${MODULE}')
const call = async () => { ${calls} }
await call() // before the session: not counted
recorder.begin()
await call()
process.stdout.write(JSON.stringify(recorder.end()))
`)
  const { stdout } = await run(process.execPath, [script], { timeout: 30_000 })
  return JSON.parse(stdout) as HeapDeltaStats
}

test('a top-level function: every call while recording counted once, bytes per call as allocated', { timeout: 60_000 }, async () => {
  const stats = await measure('allocateNumbers', 'for (let i = 0; i < 200; i++) m.allocateNumbers(1000)')
  assert.equal(stats.installed, true, stats.problem ?? '')
  assert.equal(stats.calls, 200)
  // 1,000 slots of 8 bytes, and the array's own headers; the reads' own bytes subtracted.
  assert.ok(stats.medianBytes >= 8000 && stats.medianBytes < 8000 * 1.25, `median ${stats.medianBytes} bytes`)
  assert.ok(stats.overheadBytes > 0, `the reads allocate ${stats.overheadBytes} bytes`)
  assert.ok(stats.maxBytes >= stats.medianBytes && stats.minBytes <= stats.medianBytes)
  assert.ok(Math.abs(stats.totalBytes - stats.meanBytes * 200) <= 200, 'total = mean × calls')
  assert.equal(stats.returnedPromise, 0)
  const text = formatHeapDelta(stats, { where: 'test/profile/heap-delta-module.ts:4' })
  assert.match(text, /^Heap delta around allocateNumbers \(test\/profile\/heap-delta-module\.ts:4\), from --heap-delta: .*perturbed/)
  assert.match(text, /^calls 200 /m)
  // A GC inside a call shrinks the heap by more than the call allocated: the mean and total can be negative.
  assert.match(text, /^bytes per call: mean -?[\d,]+, median [\d,]+, max [\d,]+; total -?[\d.]+ MiB$/m)
})

test('outermost calls only: a recursive function counts each outer call once, with its inner calls\' bytes', { timeout: 60_000 }, async () => {
  const stats = await measure('recurse', 'for (let i = 0; i < 10; i++) m.recurse(5)')
  assert.equal(stats.calls, 10)
  assert.ok(stats.medianBytes >= 6 * 10 * 8, `${stats.medianBytes} bytes for six levels`)
})

test('a class method and a getter are wrapped; a promise-returning function is measured to its first await and counted as such', {
  timeout: 60_000
}, async () => {
  const put = await measure('Store.put', 'const s = new m.Store(); for (let i = 0; i < 30; i++) s.put(100)')
  assert.deepEqual([put.installed, put.name, put.calls], [true, 'Store.put', 30])
  const size = await measure('Store.size', 'const s = new m.Store(); s.put(1); for (let i = 0; i < 7; i++) if (s.size !== 1) throw new Error()')
  assert.deepEqual([size.installed, size.calls], [true, 7])
  const later = await measure('allocateLater', 'for (let i = 0; i < 12; i++) await m.allocateLater(100)')
  assert.deepEqual([later.calls, later.returnedPromise], [12, 12])
  assert.match(formatHeapDelta(later), /12 returned a promise: only their part before the first await is measured/)
})

test('what cannot be wrapped says why and the module still loads', { timeout: 60_000 }, async () => {
  const constant = await measure('arrowConstant', 'if (m.arrowConstant(3).length !== 3) throw new Error()')
  assert.equal(constant.installed, false)
  assert.match(constant.problem ?? '', /constant/)
  assert.match(formatHeapDelta(constant), /Not measured: .*constant/)
  const missing = await measure('Store.nothing', 'new m.Store().put(1)')
  assert.match(missing.problem ?? '', /Store has no method or getter nothing/)
})

test('the wrapper goes before the source map comment, so no mapped line moves; targets are checked before they become code', () => {
  const target = parseHeapDeltaTarget('file:///app/dist/src/x.js#Index.resolve', 'VAR')
  assert.deepEqual(target, { url: 'file:///app/dist/src/x.js', binding: 'Index', member: 'resolve' })
  const source = 'export class Index {}\n//# sourceMappingURL=x.js.map'
  const rewritten = withHeapDeltaWrapper(source, target)
  assert.ok(rewritten.startsWith('export class Index {}\n'))
  assert.ok(rewritten.endsWith('\n//# sourceMappingURL=x.js.map'))
  assert.match(rewritten, /function heapDeltaWrapper/)
  for (const bad of ['file:///x.js#a-b', 'file:///x.js#a.b.c', '/x.js#a', 'file:///x.js#', 'file:///x.js#a;alert(1)']) {
    assert.throws(() => parseHeapDeltaTarget(bad, 'CACHESTACK_PROFILE_HEAP_DELTA'), /CACHESTACK_PROFILE_HEAP_DELTA=.*expected file:\/\/\//, bad)
  }
})

test('--heap-delta NAME is found in the built service, with its TypeScript file:line', () => {
  const found = resolveHeapDeltaFunction('resolveCity', { root: ROOT })
  assert.match(found.where, /^src\/routes\/weather\.ts:\d+$/)
  assert.equal(found.target.binding, 'resolveCity')
  assert.match(found.env, /^file:\/\/\/.*\/dist\/src\/routes\/weather\.js#resolveCity$/)
  assert.equal(resolveHeapDeltaFunction('src/routes/weather.ts:resolveCity', { root: ROOT }).env, found.env)
})

test('--heap-delta NAME: not found, a constant, two modules with the name, each said', () => {
  const root = mkdtempSync(join(tmpdir(), 'heap-delta-root-'))
  mkdirSync(join(root, 'dist', 'src', 'a'), { recursive: true })
  mkdirSync(join(root, 'dist', 'src', 'profile-agent'), { recursive: true })
  writeFileSync(join(root, 'dist', 'src', 'a', 'one.js'),
    'export function twice() {}\nexport const arrow = () => 1;\nexport class Box {\n    get size() {\n        return 1;\n    }\n}\n')
  writeFileSync(join(root, 'dist', 'src', 'two.js'), 'function twice() {}\n')
  writeFileSync(join(root, 'dist', 'src', 'profile-agent', 'own.js'), 'export function ownOnly() {}\n')
  assert.throws(() => resolveHeapDeltaFunction('nothing', { root }), /--heap-delta="nothing": not found \(no top-level function declaration/)
  assert.throws(() => resolveHeapDeltaFunction('ownOnly', { root }), /not found/, 'the profiler\'s own code is not a target')
  assert.throws(() => resolveHeapDeltaFunction('arrow', { root }), /arrow is a const \(or let\) binding in dist\/src\/a\/one\.js/)
  assert.throws(() => resolveHeapDeltaFunction('twice', { root }), /twice is declared in 2 modules \(dist\/src\/a\/one\.js, dist\/src\/two\.js\); name one: FILE:twice/)
  assert.equal(resolveHeapDeltaFunction('src/two.ts:twice', { root }).where, 'dist/src/two.js:1', 'no source map: the built line')
  assert.throws(() => resolveHeapDeltaFunction('wo.ts:twice', { root }), /not found/, 'FILE is whole path segments')
  assert.equal(resolveHeapDeltaFunction('Box.size', { root }).where, 'dist/src/a/one.js:4')
  assert.equal(resolveHeapDeltaFunction('Box.size', { root }).target.url, pathToFileURL(join(root, 'dist', 'src', 'a', 'one.js')).href)
  assert.throws(() => resolveHeapDeltaFunction('Box.missing', { root }), /not found/)
  assert.throws(() => resolveHeapDeltaFunction('a b', { root }), /expected a function name/)
})
