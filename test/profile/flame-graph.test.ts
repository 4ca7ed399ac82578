import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Script } from 'node:vm'
import type { AnnotatedFunction } from '../../profile/annotated-source.js'
import { frameKey, parseCpuProfile, type CpuProfile } from '../../profile/cpu-profile.js'
import { renderFlameGraph } from '../../profile/flame-graph.js'

const FIXTURE = new URL('../../../test/fixtures/weather-worker.cpuprofile', import.meta.url)

const embedded = (html: string): { names: string[], root: unknown[], totalUs: number } =>
  JSON.parse(/<script type="application\/json" id="flame-data">([\s\S]*?)<\/script>/.exec(html)![1]!)

test('one self-contained page: no external script, style, font or image', () => {
  const html = renderFlameGraph(parseCpuProfile(readFileSync(FIXTURE, 'utf8')), { title: 'worker 1' })
  assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=/i)
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
  assert.match(html, /<title>worker 1<\/title>/)
  const data = embedded(html)
  assert.ok(data.names.includes('handler') && data.names.includes('resolveCity'))
  assert.ok(!data.names.includes('(idle)'), 'idle is left out by default')
  assert.ok(html.length < 200_000, `small (${html.length} bytes)`)
})

test('names cannot break out of the page: </script> and HTML in a function name or title stay text', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
      { id: 2, callFrame: { functionName: '</script><img src=x onerror=alert(1)>', url: 'file:///a.js', lineNumber: 0, columnNumber: 0 } }
    ],
    startTime: 0,
    endTime: 2000,
    samples: [2, 2],
    timeDeltas: [0, 1000]
  }
  const html = renderFlameGraph(profile, { title: '<b>"t"</b>' })
  assert.equal(html.match(/<\/script>/g)!.length, 2, 'only the two closing tags of the page')
  assert.match(html, /<title>&#60;b&#62;&#34;t&#34;&#60;\/b&#62;<\/title>/)
  assert.ok(embedded(html).names.includes('</script><img src=x onerror=alert(1)>'))
})

test('frames below minShare are left out; the root keeps the whole time', () => {
  const profile = parseCpuProfile(readFileSync(FIXTURE, 'utf8'))
  const fine = embedded(renderFlameGraph(profile, { minShare: 0 }))
  const coarse = embedded(renderFlameGraph(profile, { minShare: 0.05 }))
  const count = (frame: unknown[]): number => 1 + (frame[5] as unknown[][]).reduce((sum, child) => sum + count(child), 0)
  assert.ok(count(coarse.root) < count(fine.root) / 4, `${count(coarse.root)} vs ${count(fine.root)} frames`)
  assert.equal(coarse.totalUs, fine.totalUs)
})

test('the page\'s script compiles (a quote lost in the template breaks the whole page, not one feature)', () => {
  const html = renderFlameGraph(parseCpuProfile(readFileSync(FIXTURE, 'utf8')))
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!)
  assert.equal(scripts.length, 1)
  assert.doesNotThrow(() => new Script(scripts[0]!, { filename: 'flame.html' }))
})

test('line views are embedded for our own frames only, and source text cannot break out of the page', () => {
  const own = { functionName: 'work', url: 'file:///repo/dist/src/work.js', lineNumber: 0, columnNumber: 13 }
  const dep = { functionName: 'lib', url: 'file:///repo/node_modules/lib/index.js', lineNumber: 0, columnNumber: 0 }
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 3] },
      { id: 2, callFrame: own },
      { id: 3, callFrame: dep }
    ],
    startTime: 0,
    endTime: 4000,
    samples: [2, 2, 3, 3],
    timeDeltas: [0, 1000, 1000, 1000]
  }
  const annotated = (key: string, text: string): AnnotatedFunction => ({
    kind: 'annotated',
    key,
    name: 'work',
    file: 'src/work.ts',
    language: 'typescript',
    line: 1,
    samples: 2,
    timeUs: 2000,
    selfUs: 2000,
    rows: [{ line: 1, samples: 2, share: 1, text }],
    unmapped: null,
    outside: null,
    notes: []
  })
  const hostile = 'const s = \'</script><img src=x onerror=alert(1)>\''
  const html = renderFlameGraph(profile, { lines: [annotated(frameKey(own), hostile), annotated(frameKey(dep), 'lib')] })
  assert.equal(html.match(/<\/script>/g)!.length, 2, 'only the two closing tags of the page')
  const data = JSON.parse(/<script type="application\/json" id="flame-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
    sources: Array<{ name: string, rows: unknown[][] }>
    root: unknown[]
  }
  assert.equal(data.sources.length, 1, 'the dependency\'s lines are not carried')
  assert.equal(data.sources[0]!.rows[0]![2], hostile)
  const [ownFrame, depFrame] = data.root[5] as unknown[][]
  assert.equal(ownFrame![6], 0, 'our frame points at its lines')
  assert.equal(depFrame!.length, 6)
  assert.deepEqual(embedded(renderFlameGraph(profile)).root.length, 6, 'without line views, frames are as before')
})
