import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatHeapReport } from '../../profile/heap-report.js'
import { parseHeapProfile, summarizeHeapProfile, type HeapProfileNode } from '../../profile/heap-profile.js'

const FIXTURE = new URL('../../../test/fixtures/weather-worker.heapprofile', import.meta.url)
const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)))
const node = (id: number, functionName: string, url: string, selfSize: number, children: HeapProfileNode[] = []): HeapProfileNode =>
  ({ id, callFrame: { functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' }, selfSize, children })

test('top allocation sites: self bytes, total bytes once per stack, shares', () => {
  const own = 'file:///repo/dist/src/weather/weather-loader.js'
  const profile = {
    head: node(1, '(root)', '', 0, [
      node(2, 'load', own, 100, [node(3, 'stringify', '', 300), node(4, 'load', own, 50, [node(5, 'stringify', '', 550)])]),
      node(6, 'parse', 'file:///repo/node_modules/x/index.js', 1000)
    ])
  }
  const summary = summarizeHeapProfile(profile, { root: '/repo' })
  assert.equal(summary.totalBytes, 2000)
  assert.deepEqual(summary.sites.map((s) => [s.name, s.selfBytes, s.totalBytes]), [['parse', 1000, 1000], ['stringify', 850, 850], ['load', 150, 1000]])
  assert.equal(summary.sites[0]!.selfShare, 0.5)
  assert.equal(summary.sites[2]!.origin, 'own')
  assert.equal(summary.sites[2]!.location, 'dist/src/weather/weather-loader.js:1')
  assert.match(formatHeapReport(summary, { limit: 2 }), /Top 2 allocation sites[\s\S]*parse[\s\S]*stringify/)
})

test('the recorded worker heap profile: the service allocates and is named; the profiler is not', () => {
  const summary = summarizeHeapProfile(parseHeapProfile(readFileSync(FIXTURE, 'utf8')))
  assert.ok(summary.totalBytes > 100_000)
  assert.ok(summary.sites.some((s) => s.origin === 'own'), 'some allocation site is our code')
  const inspector = summary.sites.filter((s) => s.location.startsWith('node:inspector')).reduce((sum, s) => sum + s.selfBytes, 0)
  assert.ok(inspector < summary.totalBytes * 0.05, `the profiler's own allocations stay out (${inspector} bytes)`)
  assert.throws(() => parseHeapProfile('{}', 'x.heapprofile'), /x\.heapprofile: expected a \.heapprofile/)
})

// Named so that its built and source lines can be found below.
function allocatingSite (): number[] {
  return new Array(64).fill(0)
}

test('our allocation sites are named by their TypeScript file:line; a built line that no longer holds the function is not mapped', () => {
  assert.equal(allocatingSite().length, 64)
  const built = fileURLToPath(import.meta.url)
  const js = readFileSync(built, 'utf8').split('\n')
  const jsLine = js.findIndex((line) => line.includes('function allocatingSite'))
  const tsLine = readFileSync(join(ROOT, 'test/profile/heap-profile.test.ts'), 'utf8').split('\n').findIndex((line) => line.includes('function allocatingSite'))
  assert.ok(jsLine >= 0 && tsLine >= 0)
  const frame = (functionName: string, lineNumber: number) =>
    ({
      id: 2,
      callFrame: { functionName, url: import.meta.url, lineNumber, columnNumber: js[lineNumber]!.indexOf('function'), scriptId: '1' },
      selfSize: 1000,
      children: []
    })
  const profile = (functionName: string, lineNumber: number) => ({ head: node(1, '(root)', '', 0, [frame(functionName, lineNumber)]) })
  const site = summarizeHeapProfile(profile('allocatingSite', jsLine), { root: ROOT }).sites[0]!
  assert.equal(site.origin, 'own')
  assert.equal(site.location, `dist/test/profile/heap-profile.test.js:${jsLine + 1}`, 'the built location is kept')
  assert.equal(site.source, `test/profile/heap-profile.test.ts:${tsLine + 1}`)
  assert.match(formatHeapReport(summarizeHeapProfile(profile('allocatingSite', jsLine), { root: ROOT })), /allocatingSite +test\/profile\/heap-profile\.test\.ts:\d+ +own/)
  // A recorded profile whose script has since changed: the line holds other code, so no TypeScript location is made up.
  assert.equal(summarizeHeapProfile(profile('renamedSince', jsLine), { root: ROOT }).sites[0]!.source, null)
  assert.match(formatHeapReport(summarizeHeapProfile(profile('renamedSince', jsLine), { root: ROOT })), /functions, not lines/)
})
