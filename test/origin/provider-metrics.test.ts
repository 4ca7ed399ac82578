// The simulated provider's own /metrics: what its operator would scrape, and what the service's
// cachestack_origin_requests_total is compared with. Counts by outcome, latency, in flight.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildOriginServer } from '../../src/origin/server.js'
import { cities, silentLogger } from '../helpers/fixtures.js'

test('/metrics counts weather requests by outcome, with their latency; Node\'s process metrics are prefixed', async () => {
  // Each request rolls twice: its latency jitter, then its error (under 0.5 = a failure).
  const rolls = [0.5, 0.9, 0.5, 0.1, 0.5, 0.9, 0.5, 0.1, 0.5]
  const app = buildOriginServer({
    cities: cities(),
    logger: silentLogger(),
    latencyMs: 0,
    jitterMs: 0,
    errorRate: 0.5,
    bucketSeconds: 600,
    random: () => rolls.shift()!
  })
  try {
    const id = cities()[0]!.id
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await app.inject(`/v1/weather/${id}`)).statusCode)
    statuses.push((await app.inject('/v1/weather/999999999')).statusCode)
    assert.deepEqual(statuses, [200, 503, 200, 503, 404])
    const response = await app.inject('/metrics')
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /^text\/plain/)
    const text = response.body
    assert.match(text, /cachestack_provider_requests_total\{outcome="ok"\} 2\n/)
    assert.match(text, /cachestack_provider_requests_total\{outcome="error"\} 2\n/)
    assert.match(text, /cachestack_provider_requests_total\{outcome="not_found"\} 1\n/)
    assert.match(text, /cachestack_provider_request_duration_seconds_count\{outcome="ok"\} 2\n/)
    assert.match(text, /cachestack_provider_in_flight 0\n/)
    assert.match(text, /cachestack_provider_process_cpu_seconds_total /)
    // /stats (the JSON the load tests read) agrees.
    assert.deepEqual((await app.inject('/stats')).json().requests, 5)
  } finally {
    await app.close()
  }
})
