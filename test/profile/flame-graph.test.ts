import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parseCpuProfile, type CpuProfile } from '../../profile/cpu-profile.js'
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
