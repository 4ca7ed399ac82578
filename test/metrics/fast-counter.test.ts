import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AggregatorRegistry, Counter, Registry } from 'prom-client'
import { FastCounter } from '../../src/metrics/fast-counter.js'

test('exposes exactly what a prom-client Counter exposes for the same increments', async () => {
  const ours = new Registry()
  const theirs = new Registry()
  const fast = new FastCounter({ name: 'c_total', help: 'help', registers: [ours] })
  const reference = new Counter({ name: 'c_total', help: 'help', labelNames: ['layer'], registers: [theirs] })
  const l1 = fast.series({ layer: 'l1' })
  const l2 = fast.series({ layer: 'l2' })
  for (let i = 0; i < 5; i++) { l1.inc(); reference.labels('l1').inc() }
  l2.inc(3); reference.labels('l2').inc(3)
  assert.equal(await ours.metrics(), await theirs.metrics())
})

test('sums across cluster workers', async () => {
  const workers = [new Registry(), new Registry()]
  workers.forEach((registry, i) => new FastCounter({ name: 'c_total', help: 'h', registers: [registry] }).series({ layer: 'l1' }).inc(i + 1))
  const merged = AggregatorRegistry.aggregate(await Promise.all(workers.map(r => r.getMetricsAsJSON())))
  assert.match(await merged.metrics(), /c_total\{layer="l1"\} 3/)
})
