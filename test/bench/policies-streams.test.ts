// The simulator's streams: each is what its name says (bench/policies/streams.ts), and a trace
// recorded by the load test reads back as the cities it asked for (bench/policies/recorded-trace.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CityIndex } from '../../src/cities/city-index.js'
import { loadCities, type DatasetCity } from '../../src/cities/dataset.js'
import { parseTrace, readTrace, RECORDED_TRACE } from '../../bench/policies/recorded-trace.js'
import { capacityFor } from '../../bench/policies/study.js'
import { byPopulation, loadtestStream, scanPollutedStream, shiftingStream, zipfStream } from '../../bench/policies/streams.js'
import type { Stream } from '../../bench/policies/stream.js'

const dataset = loadCities()
const cities = byPopulation(dataset)
const index = new CityIndex(dataset)

/** Requests per key id. */
const counts = (stream: Stream, from = 0, to = stream.requests.length): Int32Array => {
  const n = new Int32Array(stream.keys.length)
  for (let i = from; i < to; i++) n[stream.requests[i]!]!++
  return n
}
const top = (n: Int32Array): number => n.indexOf(Math.max(...n))

test('zipf: over the whole data set, keyed by city id, the most populous city the most requested', () => {
  const stream = zipfStream(cities, 0.9, 50_000)
  assert.equal(stream.requests.length, 50_000)
  assert.equal(stream.keys[top(counts(stream))], cities[0]!.key)
  assert.ok(stream.keys.length > 10_000, `${stream.keys.length} distinct cities`)
  assert.ok(stream.keys.every((key) => /^\d+$/.test(key)))
  assert.deepEqual(zipfStream(cities, 0.9, 1000).requests, zipfStream(cities, 0.9, 1000).requests, 'seeded')
})

test('scan-polluted: every city outside the hot set requested exactly once, 20% of the requests', () => {
  const hot = 35_000
  const stream = scanPollutedStream(cities, { hot })
  const n = counts(stream)
  const hotKeys = new Set(cities.slice(0, hot).map((c: DatasetCity) => c.key))
  let oneHit = 0
  stream.keys.forEach((key, id) => {
    if (hotKeys.has(key)) return
    assert.equal(n[id], 1, `city ${key} requested ${n[id]} times`)
    oneHit++
  })
  assert.equal(oneHit, cities.length - hot)
  assert.ok(Math.abs(oneHit / stream.requests.length - 0.2) < 0.001, `${oneHit} of ${stream.requests.length}`)
})

test('shifting: the popular cities of the second half are not those of the first', () => {
  const stream = shiftingStream(cities, 100_000)
  const first = counts(stream, 0, 50_000)
  const second = counts(stream, 50_000)
  assert.equal(stream.keys[top(first)], cities[0]!.key)
  assert.notEqual(top(first), top(second))
  const hottest = (n: Int32Array): Set<number> => new Set([...n.keys()].sort((a, b) => n[b]! - n[a]!).slice(0, 100))
  const a = hottest(first)
  const overlap = [...hottest(second)].filter((id) => a.has(id)).length
  assert.ok(overlap < 10, `${overlap} of the 100 hottest cities stayed hot`)
})

test('loadtest-population: the load tests\' 1,000 cities, weighted by population', () => {
  const stream = loadtestStream(dataset, 20_000)
  assert.ok(stream.keys.length <= 1000)
  assert.ok(stream.keys.length > 500, `${stream.keys.length} distinct`)
})

test('capacities: a share of the distinct keys, at least one entry', () => {
  assert.equal(capacityFor(0.01, 115_144), 1151)
  assert.equal(capacityFor(0.001, 1000), 1)
  assert.equal(capacityFor(0.001, 200), 1)
})

test('a recorded trace: /weather/ paths resolved to city ids as the route does; comments and other routes skipped', () => {
  const text = [
    '# cachestack request trace: one path per line, in send order',
    '# npm run loadtest -- --record-trace x',
    '# memory · zipf (prime)',
    '/weather/london',
    '/weather/paris',
    '/baseline/london',
    '/weather/s%C3%A3o%20paulo',
    '/weather/nowhere-at-all-xyz',
    '/weather/london'
  ].join('\n')
  const parsed = parseTrace(text, index, 'x.trace')
  assert.equal(parsed.command, 'npm run loadtest -- --record-trace x')
  assert.equal(parsed.unresolved, 1)
  assert.equal(parsed.stream.requests.length, 4)
  assert.deepEqual([...parsed.stream.requests], [0, 1, 2, 0])
  assert.equal(parsed.stream.keys[0], index.resolve('london')!.key)
  assert.equal(parsed.stream.keys[2], index.resolve('são paulo')!.key)
  const dir = mkdtempSync(join(tmpdir(), 'trace-'))
  writeFileSync(join(dir, 't.trace.gz'), gzipSync(text))
  assert.deepEqual(readTrace(join(dir, 't.trace.gz'), index).stream.requests, parsed.stream.requests, 'gzipped alike')
})

test('the checked-in trace was recorded by the load test and resolves completely', () => {
  const parsed = readTrace(RECORDED_TRACE, index)
  assert.match(parsed.command ?? '', /^npm run loadtest -- .*--record-trace/)
  assert.equal(parsed.unresolved, 0)
  assert.ok(parsed.stream.requests.length > 10_000)
})
