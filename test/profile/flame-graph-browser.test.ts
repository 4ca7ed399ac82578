// The flame graph in a real browser: headless Chromium, offline, drawn, hoverable, zoomable.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openOffline } from '../helpers/browser.js'
import { buildLineView, type AnnotatedFunction } from '../../profile/annotated-source.js'
import { parseCpuProfile } from '../../profile/cpu-profile.js'
import { summarizeCpuProfile } from '../../profile/cpu-summary.js'
import { renderFlameGraph } from '../../profile/flame-graph.js'

const FIXTURE = new URL('../../../test/fixtures/weather-worker.cpuprofile', import.meta.url)
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

test('the flame graph of the recorded worker renders offline in Chromium; hover, zoom and search work', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flame-'))
  const file = join(dir, 'flame.html')
  writeFileSync(file, renderFlameGraph(parseCpuProfile(readFileSync(FIXTURE, 'utf8')), { title: 'weather worker' }))
  const { page, requests, errors, close } = await openOffline(file, { width: 1300, height: 800 })
  try {
    await page.waitForSelector('svg rect')
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'nothing from the network')
    const frames = Number(await page.getAttribute('body', 'data-frames'))
    assert.ok(frames > 50, `${frames} frames drawn`)
    // Runs in the page (a string: this project compiles without the DOM types).
    const widest = await page.evaluate('Math.max(...[...document.querySelectorAll(\'svg rect\')].map((r) => r.getBBox().width))') as number
    assert.ok(widest > 1000, 'the root spans the page')
    const labels = await page.evaluate('[...document.querySelectorAll(\'svg text\')].map((t) => t.textContent)') as string[]
    assert.ok(labels.includes('(root)'))

    // Hover: the tooltip names the function, its file:line and its times.
    // Ours, not Fastify's function of the same name.
    const handler = page.locator('svg g[data-origin="own"]', { has: page.locator('text', { hasText: /^handler$/ }) }).first()
    await handler.hover()
    const tip = await page.textContent('#tip')
    assert.match(tip ?? '', /^handler\n\S*routes\/weather\.js:\d+ +\[own\]\ntotal [\d.]+ ms \([\d.]+%\) +self/)

    // Zoom: after a click the handler spans the width, and fewer frames are drawn.
    await handler.click()
    const zoomed = Number(await page.getAttribute('body', 'data-frames'))
    assert.ok(zoomed < frames, `${zoomed} < ${frames}`)
    const handlerWidth = await page.evaluate(
      '[...document.querySelectorAll(\'svg g[data-origin="own"]\')].find((g) => g.textContent === \'handler\')' +
      '.querySelector(\'rect\').getBBox().width'
    ) as number
    assert.ok(handlerWidth > 1000)
    await page.screenshot({ path: join(dir, 'zoomed.png') })
    await page.click('#reset')
    assert.equal(Number(await page.getAttribute('body', 'data-frames')), frames)

    // Search highlights the matches and says how much of the time they take.
    await page.fill('#search', 'resolveCity|normalizeCityName')
    assert.ok(await page.locator('svg g.hit').count() >= 2)
    assert.match(await page.textContent('#matched') ?? '', /^matched [\d.]+% of all$/)
    await page.fill('#search', '')
    await page.screenshot({ path: join(dir, 'flame.png') })
    process.stdout.write(`# screenshots: ${join(dir, 'flame.png')} ${join(dir, 'zoomed.png')}\n`)
  } finally {
    await close()
  }
})

test('a click on one of our functions shows its source line by line below the graph; another\'s hides it', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flame-lines-'))
  const file = join(dir, 'flame.html')
  const profile = parseCpuProfile(readFileSync(FIXTURE, 'utf8'))
  const view = buildLineView(profile, summarizeCpuProfile(profile, { root: ROOT }), { count: 25, root: ROOT })
  const lines = view.functions.filter((fn): fn is AnnotatedFunction => fn.kind === 'annotated')
  assert.ok(lines.length >= 3, `${lines.length} of our functions annotated`)
  writeFileSync(file, renderFlameGraph(profile, { title: 'weather worker', lines, intervalUs: view.intervalUs, root: ROOT }))
  const { page, requests, errors, close } = await openOffline(file, { width: 1300, height: 900 })
  try {
    await page.waitForSelector('svg rect')
    assert.equal(await page.isVisible('#source'), false, 'no panel before a click')
    // Our frames carrying line data; the widest of them is the easiest to click.
    const withSource = page.locator('svg g[data-origin="own"][data-source]')
    assert.ok(await withSource.count() > 0)
    assert.equal(await page.locator('svg g[data-source]:not([data-origin="own"])').count(), 0, 'only our own frames carry source lines')
    const widest = await page.evaluate(`(() => {
      const gs = [...document.querySelectorAll('svg g[data-origin="own"][data-source]')]
      let best = 0
      gs.forEach((g, i) => { if (g.querySelector('rect').getBBox().width > gs[best].querySelector('rect').getBBox().width) best = i })
      return best
    })()`) as number
    const frame = withSource.nth(widest)
    await frame.click()
    assert.equal(await page.isVisible('#source'), true)
    const title = await page.textContent('#source-title') ?? ''
    const head = /^Function: (\S+) at (\S+\.ts):(\d+)$/.exec(title)
    assert.ok(head !== null, title)
    const shown = lines.find((l) => l.name === head[1] && l.file === head[2] && l.line === Number(head[3]))
    assert.ok(shown !== undefined, `${title} is one of the annotated functions`)
    assert.match(await page.textContent('#source-meta') ?? '', /^Total time: [\d.]+ ms \(\d+ samples?/)
    const rows = await page.locator('#source-lines tbody tr').count()
    assert.equal(rows, shown.rows.length + (shown.outside === null ? 0 : 1) + (shown.unmapped === null ? 0 : 1), 'a row per line of the function')
    assert.ok(await page.locator('#source-lines tbody tr.sampled').count() > 0)
    assert.equal(await page.locator('#source-lines tbody tr.unsampled').count(), shown.rows.filter((r) => r.samples === 0).length)
    const first = await page.locator('#source-lines tbody tr').first().locator('td').allTextContents()
    assert.equal(first[0], String(shown.rows[0]!.line))
    assert.equal(first[4], shown.rows[0]!.text, 'the source text, as written')
    const header = await page.locator('#source-lines thead th').allTextContents()
    assert.deepEqual(header, ['Line #', 'Samples', 'Time (ms)', '% Time', 'Line Contents'])
    await page.screenshot({ path: join(dir, 'lines.png'), fullPage: true })

    // A dependency's frame (Fastify's) is not ours: the panel goes.
    await page.click('#reset')
    await page.locator('svg g[data-origin="dependency"]').first().click()
    assert.equal(await page.isVisible('#source'), false)
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'nothing from the network')
    process.stdout.write(`# screenshot: ${join(dir, 'lines.png')}\n`)
  } finally {
    await close()
  }
})
