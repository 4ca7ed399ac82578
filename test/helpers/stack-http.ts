// HTTP probes for stack tests: one request on a fresh connection, Prometheus sums, provider counts.
import { request } from 'undici'

export interface Answer {
  status: number
  headers: Record<string, string | undefined>
  body: string
}

/** GET on a fresh connection (no keep-alive reuse between calls). */
export async function get (url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(url, { headers: { connection: 'close', ...headers }, reset: true, headersTimeout: 10_000, bodyTimeout: 10_000 })
  const flat: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(res.headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value
  return { status: res.statusCode, headers: flat, body: await res.body.text() }
}

/** Sum of a metric's samples whose label set contains every given `label="value"`. */
export function metricSum (text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue
    sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}

/** The app's weather requests as counted by its (cluster-aggregated) metrics, read from its
 * internal metrics listener (`stack.urls.metrics`). */
export async function appWeatherRequests (metricsUrl: string): Promise<number> {
  const text = (await get(metricsUrl)).body
  return metricSum(text, 'cachestack_http_request_duration_seconds_count', { route: '/weather/:city' })
}

/** Weather requests the simulated provider has served. */
export async function originRequests (originUrl: string): Promise<number> {
  return (JSON.parse((await get(`${originUrl}/stats`)).body) as { requests: number }).requests
}

/**
 * Asks new cities directly at an app (new connections, which its workers take in turn) until one
 * worker's fill is another's HIT-L2: after a Redis outage or failover, each worker's breaker
 * closes at its next probe. Fails, with every answer seen, if none of `cities` shows it.
 */
export async function untilL2Serves (appUrl: string, cities: readonly string[]): Promise<void> {
  const seen: string[] = []
  for (const city of cities) {
    const asked: string[] = []
    for (let i = 0; i < 4; i++) asked.push((await get(`${appUrl}/weather/${city}`)).headers['x-cache'] ?? '')
    seen.push(`${city}: ${asked.join(' → ')}`)
    if (asked[0] === 'MISS' && asked.includes('HIT-L2')) return
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  throw new Error(`L2 does not serve: ${seen.join(', ')}`)
}
