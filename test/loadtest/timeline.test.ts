import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import {
  buildTimeline, expiryWindow, latenciesBetween, originCallsBetween, originCountAt, stampedeWave, type OriginPoll
} from '../../loadtest/measure/timeline.js'

const f64 = (values: number[]): Float64Array => Float64Array.from(values)

test('buildTimeline: one bucket per second, with its responses, failures, percentiles and origin calls', () => {
  // Second 0: five fast answers; second 1: nothing; second 2: a slow one and two failures.
  const samples = { latencies: f64([1, 2, 3, 4, 5, 250]), arrivals: f64([100, 200, 300, 400, 999, 2500]), failureArrivals: f64([2100, 2900]) }
  const polls: OriginPoll[] = [{ atMs: -50, requests: 10 }, { atMs: 1000, requests: 10 }, { atMs: 2000, requests: 210 }, { atMs: 3000, requests: 215 }]
  const timeline = buildTimeline(samples, 3, polls)
  assert.deepEqual(timeline.map((b) => [b.second, b.responses, b.failures]), [[0, 5, 0], [1, 0, 0], [2, 1, 2]])
  assert.equal(timeline[0]!.p50Ms, 3)
  assert.equal(timeline[0]!.p99Ms, 5)
  assert.equal(timeline[0]!.maxMs, 5)
  assert.deepEqual([timeline[1]!.p50Ms, timeline[1]!.p99Ms, timeline[1]!.maxMs], [null, null, null])
  assert.equal(timeline[2]!.p99Ms, 250)
  assert.deepEqual(timeline.map((b) => b.originCalls), [0, 200, 5])
})

test('buildTimeline: an answer that arrives after the nominal end gets its own bucket; no polls, no origin figures', () => {
  const timeline = buildTimeline({ latencies: f64([7]), arrivals: f64([2300]), failureArrivals: f64([]) }, 2, [])
  assert.equal(timeline.length, 3)
  assert.equal(timeline[2]!.responses, 1)
  assert.ok(timeline.every((b) => b.originCalls === null))
})

test('origin counts: the latest poll at or before the moment; unknown before the first poll', () => {
  const polls: OriginPoll[] = [{ atMs: 500, requests: 7 }, { atMs: 0, requests: 3 }, { atMs: 1000, requests: 9 }]
  assert.equal(originCountAt(polls, -1), null)
  assert.equal(originCountAt(polls, 0), 3)
  assert.equal(originCountAt(polls, 999), 7)
  assert.equal(originCountAt(polls, 5000), 9)
  assert.equal(originCallsBetween(polls, 0, 1000), 6)
  assert.equal(originCallsBetween(polls, -10, 1000), null)
})

test('latenciesBetween: only answers that arrived in [from, to); mismatched inputs are refused', () => {
  const samples = { latencies: f64([1, 2, 3]), arrivals: f64([0, 1000, 2000]) }
  assert.deepEqual([...latenciesBetween(samples, 0, 2000)], [1, 2])
  assert.throws(() => latenciesBetween({ latencies: f64([1]), arrivals: f64([]) }, 0, 1), RangeError)
})

test('expiryWindow: from 1 s before the first key expires to 2 s after the last; jitter only brings expiry earlier', () => {
  // Keys stored between 400 and 100 ms before the run started, TTL 3 s: they expire at 2.6–2.9 s.
  const latencies: number[] = []
  const arrivals: number[] = []
  for (let t = 0; t < 8000; t += 10) {
    arrivals.push(t)
    // The storm: slow answers for half a second after the expiry.
    latencies.push(t >= 2600 && t < 3100 ? 90 : 2)
  }
  const samples = { latencies: f64(latencies), arrivals: f64(arrivals), failureArrivals: f64([2700, 7000]) }
  const polls: OriginPoll[] = [{ atMs: -300, requests: 200 }, { atMs: 1500, requests: 200 }, { atMs: 4800, requests: 400 }, { atMs: 6000, requests: 410 }]
  const w = expiryWindow(samples, polls, { startMs: -400, endMs: -100 }, 3, 0)
  assert.ok(Math.abs(w.firstExpirySeconds - 2.6) < 1e-9 && Math.abs(w.lastExpirySeconds - 2.9) < 1e-9, JSON.stringify(w))
  assert.ok(Math.abs(w.fromSeconds - 1.6) < 1e-9 && Math.abs(w.toSeconds - 4.9) < 1e-9)
  assert.equal(w.responses, 330) // 1600..4890 every 10 ms
  assert.equal(w.failures, 1)
  assert.equal(w.latencyMs.p99, 90)
  assert.equal(w.latencyMs.p50, 2)
  assert.equal(w.originCalls, 200) // the polls at 1.5 s and 4.8 s bound the window
  // A 10% jitter shortens TTLs by up to 0.3 s: the window opens earlier, never closes later.
  const jittered = expiryWindow(samples, polls, { startMs: -400, endMs: -100 }, 3, 0.1)
  assert.ok(Math.abs(jittered.firstExpirySeconds - 2.3) < 1e-9)
  assert.equal(jittered.lastExpirySeconds, w.lastExpirySeconds)
  // Never before the run's start.
  assert.equal(expiryWindow(samples, polls, { startMs: -2500, endMs: -2000 }, 3, 0).fromSeconds, 0)
})

test('stampedeWave: first and last answer, failures, origin calls as given', () => {
  const wave = stampedeWave('/weather/x', 4, { latencies: f64([85, 86, 90]), arrivals: f64([92, 88, 97]), failureArrivals: f64([120]) }, 1)
  assert.deepEqual(wave, { path: '/weather/x', requests: 4, responses: 3, failures: 1, firstAnswerMs: 88, lastAnswerMs: 97, originCalls: 1 })
  const empty = stampedeWave('/weather/y', 2, { latencies: f64([]), arrivals: f64([]), failureArrivals: f64([1, 2]) }, null)
  assert.equal(empty.firstAnswerMs, null)
  assert.equal(empty.lastAnswerMs, null)
  assert.equal(empty.failures, 2)
})
