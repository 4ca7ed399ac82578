// The flame graph in a real browser: headless Chromium, offline, drawn, hoverable, zoomable.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openOffline } from '../helpers/browser.js'
import { parseCpuProfile } from '../../profile/cpu-profile.js'
import { renderFlameGraph } from '../../profile/flame-graph.js'

const FIXTURE = new URL('../../../test/fixtures/weather-worker.cpuprofile', import.meta.url)

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
