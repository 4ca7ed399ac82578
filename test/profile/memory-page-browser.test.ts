// The memory page in a real browser: headless Chromium, offline; a chart per worker with the five
// memory series and its GC pauses drawn, the allocation-site and retainer tables beside them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { drawnCharts, openOffline } from '../helpers/browser.js'
import { parseHeapProfile, summarizeHeapProfile } from '../../profile/heap-profile.js'
import { readRetainers } from '../../profile/heap-snapshot-report.js'
import { renderMemoryPage } from '../../profile/memory-page.js'
import { MEMORY_SERIES } from '../../profile/memory-series.js'
import { RuntimeSampler, type RuntimeStats } from '../../src/profile-agent/runtime-sampler.js'

const FIXTURE = new URL('../../../test/fixtures/weather-worker.heapprofile', import.meta.url)
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** This process's own memory for a few hundred ms, allocating enough for the young generation to fill. */
async function sampleThisProcess (): Promise<RuntimeStats> {
  const sampler = new RuntimeSampler({ intervalMs: 20 })
  sampler.start()
  let kept: number[][] = []
  for (let round = 0; round < 15; round++) {
    kept = Array.from({ length: 20_000 }, (_, i) => [i, i + 1, i + 2])
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.ok(kept.length > 0)
  return sampler.stop()
}

/** Three known pauses. */
function knownPauses (from: RuntimeStats): RuntimeStats {
  return {
    ...from,
    gc: {
      count: 3,
      totalMs: 9,
      maxMs: 5,
      byKind: { minor: { count: 2, totalMs: 4 }, major: { count: 1, totalMs: 5 } },
      pauses: [{ t: 10, ms: 2, kind: 'minor' }, { t: 100, ms: 2, kind: 'minor' }, { t: 200, ms: 5, kind: 'major' }]
    }
  }
}

test('the memory page renders offline in Chromium: a chart per worker with five series and its GC pauses, and the tables', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'memory-page-'))
  const runtime = await sampleThisProcess()
  assert.ok(runtime.samples.length >= 10, `${runtime.samples.length} samples`)
  const snapshot = join(dir, 'tiny.heapsnapshot')
  writeFileSync(snapshot, JSON.stringify({
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [['synthetic', 'object']],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [['property', 'weak']]
      }
    },
    nodes: [0, 0, 1, 0, 1, 1, 1, 3, 4096, 0],
    edges: [0, 0, 5],
    strings: ['', 'CityTable']
  }))
  const file = join(dir, 'worker.memory.html')
  writeFileSync(file, renderMemoryPage({
    title: 'worker under zipf',
    workers: [
      { workerId: 1, pid: 101, profiled: true, runtime },
      { workerId: 2, pid: 102, profiled: false, runtime: knownPauses(runtime) }
    ],
    heap: summarizeHeapProfile(parseHeapProfile(readFileSync(FIXTURE, 'utf8')), { root: ROOT }),
    retainers: await readRetainers(snapshot),
    flameGraph: 'worker.flame.html'
  }))
  const html = readFileSync(file, 'utf8')
  assert.doesNotMatch(html, /<script[^>]+src=/, 'self-contained')
  const { page, requests, errors, close } = await openOffline(file, { width: 1300, height: 1400 })
  try {
    await page.waitForFunction('document.body.getAttribute("data-charts") === "2"')
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'nothing from the network')
    const charts = await drawnCharts(page, '__cachestackMemoryCharts')
    assert.equal(charts.length, 2)
    for (const chart of charts) {
      assert.deepEqual(chart.datasets, [...MEMORY_SERIES, 'GC pause (ms, right axis)'])
      assert.equal(chart.first.length, runtime.samples.length, 'a point per sample')
      assert.ok(chart.painted > 0.02 && chart.colors > 3, `${chart.id} drawn: ${chart.painted} of the canvas, ${chart.colors} colours`)
    }
    const gcPoints = await page.evaluate('window.__cachestackMemoryCharts.map((c) => c.data.datasets[5].data.length)') as number[]
    assert.deepEqual(gcPoints, [runtime.gc.pauses.length, 3], 'a marker per GC pause')
    const title = await page.evaluate('window.__cachestackMemoryCharts[0].options.plugins.title.text') as string
    assert.equal(title, 'Memory over time, worker 1 (pid 101, profiled)')
    assert.ok(await page.locator('#allocation-sites tbody tr').count() > 5)
    assert.match(await page.textContent('body') ?? '', /attributes allocations to functions, not lines/)
    assert.deepEqual(await page.locator('#retainers tbody tr').first().locator('td').allTextContents(), ['1', '4.0', '100.0%', '4.0', '100.0%', 'CityTable'])
    assert.equal(await page.getAttribute('a', 'href'), 'worker.flame.html')
    await page.screenshot({ path: join(dir, 'memory.png'), fullPage: true })
    process.stdout.write(`# screenshot: ${join(dir, 'memory.png')}\n`)
  } finally {
    await close()
  }
})
