// Reads of the counters a run is judged by: the app's /metrics and the provider's /stats.
// Each read is bounded in time; a failed read makes its figures null, never the run fail.
import { parsePrometheusText, type Sample } from './prometheus.js'

const PROBE_TIMEOUT_MS = 5000

async function fetchText (url: string, timeoutMs: number): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  const text = await response.text()
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`)
  return text
}

/** `url` may list several instances' /metrics, separated by spaces: their samples are concatenated, so sums add up. */
export async function scrapeMetrics (url: string | null, warn: (message: string) => void): Promise<Sample[] | null> {
  if (url === null) return null
  try {
    const urls = url.split(' ').filter((u) => u !== '')
    const texts = await Promise.all(urls.map((u) => fetchText(u, PROBE_TIMEOUT_MS)))
    if (texts.length === 1) return parsePrometheusText(texts[0]!)
    // Each instance's series get their own label: counterDelta pairs series by labels, and two
    // instances' identical series must not be taken for one.
    return texts.flatMap((text, i) => parsePrometheusText(text).map((sample) => ({ ...sample, labels: { ...sample.labels, cs_instance: String(i) } })))
  } catch (err) {
    warn(`metrics scrape failed (${(err as Error).message}): hit ratios of this run are unknown`)
    return null
  }
}

/** The provider's count of weather requests served (errors included). */
export async function originRequests (url: string | null, warn: (message: string) => void): Promise<number | null> {
  if (url === null) return null
  try {
    const stats = JSON.parse(await fetchText(url, PROBE_TIMEOUT_MS)) as { requests?: unknown }
    if (typeof stats.requests !== 'number') throw new Error('no numeric "requests" field')
    return stats.requests
  } catch (err) {
    warn(`origin /stats read failed (${(err as Error).message}): origin calls of this run are unknown`)
    return null
  }
}

/** Polls until `url` answers 2xx, or throws after `timeoutMs`. */
export async function waitUntilUp (url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
      await response.arrayBuffer()
      if (response.ok) return
      last = `HTTP ${response.status}`
    } catch (err) {
      last = (err as Error).message
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${url} did not answer 2xx within ${timeoutMs} ms (last: ${last})`)
}
