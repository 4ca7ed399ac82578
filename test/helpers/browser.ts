// A page in a real browser: Debian's headless Chromium through playwright-core, offline, with
// every network request and page error recorded. A missing Chromium fails the test (it never skips).
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

export interface OfflinePage {
  readonly browser: Browser
  readonly page: Page
  /** URLs requested outside file: — a self-contained report makes none. */
  readonly requests: string[]
  readonly errors: string[]
  close (): Promise<void>
}

export async function openOffline (file: string, viewport = { width: 1300, height: 900 }): Promise<OfflinePage> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`)
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  const page = await browser.newPage({ viewport })
  const requests: string[] = []
  const errors: string[] = []
  page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()) })
  page.on('pageerror', (err) => errors.push(err.message))
  await page.goto(pathToFileURL(file).href)
  return { browser, page, requests, errors, close: () => browser.close() }
}

export interface DrawnChart {
  id: string
  width: number
  height: number
  /** Number of x labels. */
  labels: number
  /** Dataset labels. */
  datasets: string[]
  /** The first dataset's values. */
  first: unknown[]
  /** Share of canvas pixels painted. */
  painted: number
  /** Distinct colours among the first 50 painted pixels. */
  colors: number
}

/** What each Chart.js chart in `window[globalName]` actually drew. */
export async function drawnCharts (page: Page, globalName: string): Promise<DrawnChart[]> {
  // Runs in the page (a string: this project compiles without the DOM types).
  return await page.evaluate(`window.${globalName}.map((chart) => {
    const canvas = chart.canvas
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
    let painted = 0
    const colors = new Set()
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] > 0) { painted++; if (colors.size < 50) colors.add(pixels[i] + ',' + pixels[i + 1] + ',' + pixels[i + 2]) }
    }
    return {
      id: canvas.id, width: canvas.width, height: canvas.height,
      labels: (chart.data.labels || []).length, datasets: chart.data.datasets.map((d) => d.label),
      first: chart.data.datasets[0] ? chart.data.datasets[0].data : [],
      painted: painted / (canvas.width * canvas.height), colors: colors.size
    }
  })`) as DrawnChart[]
}
