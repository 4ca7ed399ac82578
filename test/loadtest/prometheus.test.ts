import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { counterDelta, parsePrometheusText, sumSeries } from '../../loadtest/measure/prometheus.js'

// The shape prom-client's AggregatorRegistry produces for the cluster.
const TEXT = `# HELP cachestack_cache_hits_total Cache hits by layer
# TYPE cachestack_cache_hits_total counter
cachestack_cache_hits_total{layer="l1"} 120
cachestack_cache_hits_total{layer="l2"} 30

# HELP cachestack_cache_misses_total Lookups no cache layer could answer
# TYPE cachestack_cache_misses_total counter
cachestack_cache_misses_total 7
cachestack_origin_requests_total{outcome="ok"} 6
cachestack_origin_requests_total{outcome="timeout"} 1
cachestack_http_request_duration_seconds_bucket{le="+Inf",route="/weather/:city",method="GET",status_code="200"} 150
cachestack_http_request_duration_seconds_count{route="/weather/:city",method="GET",status_code="200"} 150
cachestack_http_request_duration_seconds_count{route="/weather/:city",method="GET",status_code="404"} 3
cachestack_http_request_duration_seconds_count{route="/metrics",method="GET",status_code="200"} 2
weird_metric{path="a \\"quoted\\" \\\\ value\\nnext",other="x"} 1.5e3 1700000000000
nan_metric NaN
`

test('parses samples, labels with escapes, exponents, timestamps, NaN and +Inf; skips comments', () => {
  const samples = parsePrometheusText(TEXT)
  assert.equal(samples.length, 11)
  assert.deepEqual(samples[0], { name: 'cachestack_cache_hits_total', labels: { layer: 'l1' }, value: 120 })
  assert.deepEqual(samples[2], { name: 'cachestack_cache_misses_total', labels: {}, value: 7 })
  const weird = samples.find((s) => s.name === 'weird_metric')!
  assert.deepEqual(weird.labels, { path: 'a "quoted" \\ value\nnext', other: 'x' })
  assert.equal(weird.value, 1500)
  assert.ok(Number.isNaN(samples.find((s) => s.name === 'nan_metric')!.value))
  assert.equal(samples.find((s) => s.name.endsWith('_bucket'))!.labels.le, '+Inf')
})

test('rejects a malformed line instead of guessing', () => {
  assert.throws(() => parsePrometheusText('metric{layer="l1" 1\n'), SyntaxError)
  assert.throws(() => parsePrometheusText('metric abc\n'), SyntaxError)
})

test('sumSeries: every series of a name whose labels include the filter', () => {
  const samples = parsePrometheusText(TEXT)
  assert.equal(sumSeries(samples, 'cachestack_cache_hits_total'), 150)
  assert.equal(sumSeries(samples, 'cachestack_cache_hits_total', { layer: 'l2' }), 30)
  assert.equal(sumSeries(samples, 'cachestack_http_request_duration_seconds_count', { route: '/weather/:city' }), 153)
  assert.equal(sumSeries(samples, 'absent_total'), 0)
})

test('counterDelta: growth per series, summed; a reset counts from zero; a new series counts whole', () => {
  const before = parsePrometheusText(TEXT)
  const after = parsePrometheusText(TEXT
    .replace('{layer="l1"} 120', '{layer="l1"} 1120')
    .replace('{layer="l2"} 30', '{layer="l2"} 5') // worker respawned: its counter restarted
    .replace('cachestack_cache_misses_total 7', 'cachestack_cache_misses_total 9')
    .replace('{outcome="timeout"} 1', '{outcome="timeout"} 1\ncachestack_origin_requests_total{outcome="error"} 4'))
  assert.equal(counterDelta(before, after, 'cachestack_cache_hits_total', { layer: 'l1' }), 1000)
  assert.equal(counterDelta(before, after, 'cachestack_cache_hits_total', { layer: 'l2' }), 5)
  assert.equal(counterDelta(before, after, 'cachestack_cache_hits_total'), 1005)
  assert.equal(counterDelta(before, after, 'cachestack_cache_misses_total'), 2)
  assert.equal(counterDelta(before, after, 'cachestack_origin_requests_total'), 4)
  assert.equal(counterDelta(before, before, 'cachestack_cache_hits_total'), 0)
})
