import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { buildMeasurement, cacheCounts, hitRatios } from '../../loadtest/measure/measurement.js'
import { fakeObservation } from './fixtures.js'

test('cacheCounts: deltas of the app counters for the route that was loaded', () => {
  const o = fakeObservation({ target: 'layered', ok: 1000, l1: 900, l2: 60, misses: 30, appRequests: 1000 })
  assert.deepEqual(cacheCounts(o), { appRequests: 1000, edgeHits: null, l1Hits: 900, l2Hits: 60, misses: 30, appOriginRequests: 30 })
})

test('cacheCounts: with the edge tier, what the app never saw was an edge hit', () => {
  const o = fakeObservation({ target: 'edge', ok: 1000, l1: 80, misses: 20, appRequests: 100 })
  assert.equal(cacheCounts(o).edgeHits, 900)
})

test('hitRatios: shares of all requests; requests that waited on a shared load count as hits, not misses', () => {
  // 1000 requests reached the app, 10 loads went to the origin, 90 waited on those (single-flight).
  const h = hitRatios({ appRequests: 1000, edgeHits: null, l1Hits: 800, l2Hits: 100, misses: 10, appOriginRequests: 10 })
  assert.deepEqual(h, { edge: null, l1: 0.8, l2: 0.1, overall: 0.99, miss: 0.01 })
  const edge = hitRatios({ appRequests: 100, edgeHits: 900, l1Hits: 80, l2Hits: 0, misses: 20, appOriginRequests: 20 })
  assert.deepEqual(edge, { edge: 0.9, l1: 0.08, l2: 0, overall: 0.98, miss: 0.02 })
  // The limit: no lookups at all.
  assert.deepEqual(
    hitRatios({ appRequests: 0, edgeHits: null, l1Hits: 0, l2Hits: 0, misses: 0, appOriginRequests: 0 }),
    { edge: null, l1: null, l2: null, overall: null, miss: null }
  )
  assert.equal(hitRatios({ appRequests: null, edgeHits: null, l1Hits: null, l2Hits: null, misses: null, appOriginRequests: null }).overall, null)
})

test('buildMeasurement: goodput, origin calls from /stats, latency percentiles, no correction in closed loop', () => {
  const m = buildMeasurement(fakeObservation({ target: 'none', ok: 1000, misses: 1000, originCalls: 1003, latencyMs: [10, 20, 30, 40, 100] }))
  assert.equal(m.requestsPerSecond, 500) // 1000 2xx in 2 s
  assert.equal(m.originCalls, 1003)
  assert.equal(m.latencyMs.p50, 30)
  assert.equal(m.latencyMs.max, 100)
  assert.equal(m.correctedLatencyMs, null)
  assert.equal(m.hitRatio.miss, 1)
  assert.equal(m.resources.app, null) // no pid known
  assert.equal(m.resources.loadgen.cpuCores, 0.25)
})

test('buildMeasurement: fixed rate gets a corrected latency summary; unknown counters stay null', () => {
  const o = { ...fakeObservation({ target: 'memory', ok: 100, latencyMs: [1, 1, 1, 500] }), rate: 100, connections: 10, metricsAfter: null, originAfter: null }
  const m = buildMeasurement(o)
  assert.ok(m.correctedLatencyMs !== null)
  // interval = 10 connections / 100 req/s = 100 ms: the 500 ms answer hid 4 requests.
  assert.equal(m.correctedLatencyMs.count, 4 + 4)
  assert.equal(m.originCalls, null)
  assert.equal(m.cache.l1Hits, null)
  assert.equal(m.hitRatio.overall, null)
})

test('buildMeasurement: app CPU and RSS from the process tree', () => {
  const o = {
    ...fakeObservation({ target: 'memory', ok: 1000 }),
    pids: { app: 10, nginx: null, redis: null, origin: null },
    procBefore: [{ pid: 10, ppid: 1, cpuTicks: 100, rssBytes: 1000 }, { pid: 11, ppid: 10, cpuTicks: 100, rssBytes: 2000 }],
    procAfter: [{ pid: 10, ppid: 1, cpuTicks: 110, rssBytes: 1000 }, { pid: 11, ppid: 10, cpuTicks: 190, rssBytes: 3000 }],
    peakRss: { app: 5000 }
  }
  const app = buildMeasurement(o).resources.app
  assert.ok(app !== null)
  assert.equal(app.cpuSeconds, 1)
  assert.equal(app.cpuCores, 0.5)
  assert.equal(app.cpuMicrosPerRequest, 1000)
  assert.equal(app.rssBytes, 4000)
  assert.equal(app.peakRssBytes, 5000)
})
