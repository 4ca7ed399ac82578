import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AggregatorRegistry, Histogram, Registry } from 'prom-client'
import { FastHistogram } from '../../src/metrics/fast-histogram.js'

const observations = [0.0004, 0.001, 0.003, 0.003, 0.2, 7]

test('exposes exactly what a prom-client Histogram exposes for the same observations', async () => {
  const ours = new Registry()
  const theirs = new Registry()
  const fast = new FastHistogram({ name: 'h', help: 'help', buckets: [0.001, 0.005, 0.5], registers: [ours] })
  const reference = new Histogram({ name: 'h', help: 'help', labelNames: ['route'], buckets: [0.001, 0.005, 0.5], registers: [theirs] })
  const series = fast.series({ route: '/a' })
  for (const v of observations) {
    series.observe(v)
    reference.labels('/a').observe(v)
  }
  assert.equal(await ours.metrics(), await theirs.metrics())
  assert.match(await ours.metrics(), /h_bucket\{le="0\.001",route="\/a"\} 2\nh_bucket\{le="0\.005",route="\/a"\} 4\nh_bucket\{le="0\.5",route="\/a"\} 5\nh_bucket\{le="\+Inf",route="\/a"\} 6/)
})

test('sums across cluster workers like prom-client histograms', async () => {
  const workers = [new Registry(), new Registry()]
  for (const [i, registry] of workers.entries()) {
    const series = new FastHistogram({ name: 'h', help: 'help', buckets: [1], registers: [registry] }).series({ w: 'x' })
    for (let n = 0; n <= i; n++) series.observe(0.5)
  }
  const merged = AggregatorRegistry.aggregate(await Promise.all(workers.map(r => r.getMetricsAsJSON())))
  assert.match(await merged.metrics(), /h_count\{w="x"\} 3/)
  assert.match(await merged.metrics(), /h_bucket\{le="1",w="x"\} 3/)
})
