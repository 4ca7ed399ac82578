// Prometheus for real, next to the native stack (observability: true, `npm run stack --
// --observability`): it scrapes the app's internal metrics listener, the provider, and nginx and
// Redis through Debian's exporters; what it reports agrees with what the app and the provider
// count themselves; the project's recording rules evaluate.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import autocannon from 'autocannon'
import { startStack, type Stack } from '../../stack/stack.js'
import { waitFor } from '../helpers/redis.js'
import { get, metricSum, originRequests } from '../helpers/stack-http.js'
import { EXPORTER_METRICS } from '../observability/metric-names.js'

let stack: Stack
before(async () => {
  stack = await startStack({ strategy: 'layered', workers: 2, rateLimit: false, observability: true })
})
after(async () => { await stack?.stop() })

/** The app's own counters, read from its metrics listener. */
async function appCounts (): Promise<{ l1: number, requests: number, origin: number }> {
  const text = (await get(stack.urls.metrics)).body
  return {
    l1: metricSum(text, 'cachestack_cache_hits_total', { layer: 'l1' }),
    requests: metricSum(text, 'cachestack_http_request_duration_seconds_count', { route: '/weather/:city' }),
    origin: metricSum(text, 'cachestack_origin_requests_total')
  }
}

async function scalar (promql: string): Promise<number> {
  const result = await stack.prometheus!.query(promql)
  return result.reduce((sum, series) => sum + series.value, 0)
}

test('Prometheus scrapes the metrics listener (never nginx\'s public port), the provider, nginx\'s and Redis\' exporters; every target is up', async () => {
  await waitFor(async () => (await scalar('sum(up)')) === 4, 20_000, 'the four targets up')
  type Targets = { data: { activeTargets: Array<{ scrapeUrl: string, labels: { job: string }, health: string }> } }
  const targets = (await (await fetch(`${stack.prometheus!.url}/api/v1/targets`)).json() as Targets).data.activeTargets
  const byJob = Object.fromEntries(targets.map((t) => [t.labels.job, t.scrapeUrl]))
  assert.deepEqual(Object.keys(byJob).sort(), ['cachestack', 'nginx', 'provider', 'redis'])
  assert.equal(byJob.cachestack, stack.urls.metrics)
  assert.equal(byJob.provider, `${stack.urls.origin}/metrics`)
  const publicPort = new URL(stack.urls.nginx).port
  for (const url of Object.values(byJob)) assert.notEqual(new URL(url!).port, publicPort, `${url} is not the public port`)
  // What the exporters read is real: nginx counts connections, Redis answers.
  assert.equal(await scalar('nginx_up'), 1)
  assert.ok(await scalar('nginx_connections_accepted') >= 1)
  assert.equal(await scalar('redis_up'), 1)
  // The exporter metrics the rules and the dashboard are held to (test/observability/) exist.
  const missing = []
  for (const name of EXPORTER_METRICS) if ((await stack.prometheus!.query(`count(${name})`)).length === 0) missing.push(name)
  assert.deepEqual(missing, [], 'exported by the real exporters')
})

test('after a load, the L1 hit ratio and origin calls Prometheus reports match the app\'s and the provider\'s own counts', async () => {
  const cities = ['london', 'paris', 'tokyo', 'lima', 'oslo', 'cairo', 'delhi', 'rome']
  const result = await autocannon({
    url: stack.urls.nginx,
    connections: 4,
    duration: 4,
    requests: cities.map((city) => ({ method: 'GET' as const, path: `/weather/${city}` }))
  })
  assert.equal(result.non2xx, 0)
  // The load is over: the counters no longer move, and the next scrape brings them to Prometheus.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const own = await appCounts()
  const provider = await originRequests(stack.urls.origin)
  await waitFor(async () => (await scalar('sum(cachestack_http_request_duration_seconds_count{route="/weather/:city"})')) === own.requests,
    20_000, 'Prometheus to have scraped the final counts')
  const l1 = await scalar('sum(cachestack_cache_hits_total{layer="l1"})')
  const requests = await scalar('sum(cachestack_http_request_duration_seconds_count{route="/weather/:city"})')
  const originCalls = await scalar('sum(cachestack_origin_requests_total)')
  // Exact: the same counters, scraped at rest (tolerance 0); the ratio follows.
  assert.equal(l1, own.l1)
  assert.equal(originCalls, own.origin)
  assert.equal(originCalls, provider, 'the provider counted the same calls')
  // …and so does the provider's own /metrics, scraped by Prometheus (job provider).
  await waitFor(async () => (await scalar('sum(cachestack_provider_requests_total)')) === provider, 20_000, 'the provider\'s count scraped')
  // nginx saw every request of the load (stub_status also counts the exporter's own scrapes: at least).
  assert.ok(await scalar('nginx_http_requests_total') >= result.requests.total, 'nginx counted the load')
  assert.ok(own.l1 / own.requests > 0.5, `a cache-heavy load (L1 ratio ${(own.l1 / own.requests).toFixed(3)})`)
  assert.ok(Math.abs(l1 / requests - own.l1 / own.requests) < 1e-9)
})

test('the project\'s recording rules evaluate on the live data (hit ratio per layer, origin rate)', async () => {
  await waitFor(async () => (await stack.prometheus!.query('cachestack:cache_hit_ratio:rate5m')).length > 0, 20_000, 'the hit-ratio rule')
  const ratios = await stack.prometheus!.query('cachestack:cache_hit_ratio:rate5m')
  const l1 = ratios.find((series) => series.metric.layer === 'l1')
  assert.ok(l1 !== undefined && l1.value > 0 && l1.value <= 1, JSON.stringify(ratios))
  type Rules = { data: { groups: Array<{ rules: Array<{ health: string, name: string }> }> } }
  const rules = await (await fetch(`${stack.prometheus!.url}/api/v1/rules`)).json() as Rules
  const unhealthy = rules.data.groups.flatMap((group) => group.rules).filter((rule) => rule.health !== 'ok' && rule.health !== 'unknown')
  assert.deepEqual(unhealthy, [], 'every rule evaluates')
})
