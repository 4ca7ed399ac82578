// What the samplers read: metric values by name (prefix-agnostic for Node's default metrics),
// Redis INFO fields, and the series each soak charts.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parsePrometheusText } from '../../loadtest/measure/prometheus.js'
import { GROWTH_RULES } from '../../soak/growth.js'
import { infoField, metricValue, readProbe, seriesCatalogue } from '../../soak/samplers.js'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

test('metricValue: exact names, default metrics under any prefix, labelled series summed, absence as undefined', () => {
  const samples = parsePrometheusText([
    'cachestack_nodejs_heap_size_used_bytes 1000',
    'cachestack_nodejs_eventloop_lag_p99_seconds 0.012',
    'cachestack_l1_entries{worker="1"} 10',
    'cachestack_l1_entries{worker="2"} 12'
  ].join('\n'))
  assert.equal(metricValue(samples, 'nodejs_heap_size_used_bytes'), 1000)
  assert.equal(metricValue(samples, 'nodejs_eventloop_lag_p99_seconds'), 0.012)
  assert.equal(metricValue(samples, 'cachestack_l1_entries'), 22)
  assert.equal(metricValue(samples, 'cachestack_l1_bytes'), undefined)
})

test('infoField: a number from a Redis INFO section', () => {
  const info = '# Memory\r\nused_memory:1180712\r\nused_memory_human:1.13M\r\nused_memory_rss:9043968\r\n'
  assert.equal(infoField(info, 'used_memory'), 1180712)
  assert.equal(infoField(info, 'used_memory_rss'), 9043968)
  assert.equal(infoField(info, 'connected_clients'), null)
})

test('the catalogue: every series of the issue, per worker where the issue says so, each with a rule and a source', () => {
  const series = seriesCatalogue(3)
  const ids = series.map((s) => s.id)
  assert.equal(new Set(ids).size, ids.length)
  for (const w of [1, 2, 3]) {
    for (const what of ['rss', 'anon', 'heap-used', 'heap-live', 'outside-heap', 'fds', 'sockets']) {
      assert.ok(ids.includes(`worker-${w}.${what}`), `worker-${w}.${what}`)
    }
  }
  for (const id of ['workers.heap-used', 'workers.event-loop-p99', 'l1.entries', 'l1.bytes', 'redis.used-memory', 'redis.keys']) assert.ok(ids.includes(id), id)
  for (const s of series) {
    assert.ok(GROWTH_RULES[s.kind] !== undefined, `${s.id} has a rule`)
    assert.ok(s.source.length > 10, `${s.id} says where it comes from`)
  }
})

test('readProbe: a fresh report of that pid, else null', () => {
  const dir = mkdtempSync(join(tmpdir(), 'soak-probe-'))
  const report = { pid: 4242, at: Date.now(), heapUsed: 30, heapCommitted: 40, liveAfterMajorGc: 20, majorGcs: 3 }
  writeFileSync(join(dir, '4242.json'), JSON.stringify(report))
  assert.deepEqual(readProbe(dir, 4242), report)
  assert.equal(readProbe(dir, 4243), null, 'no file')
  writeFileSync(join(dir, '4244.json'), JSON.stringify({ ...report, pid: 4244, at: Date.now() - 60_000 }))
  assert.equal(readProbe(dir, 4244), null, 'stale: the process stopped writing')
  writeFileSync(join(dir, '4245.json'), '{"pid": 42')
  assert.equal(readProbe(dir, 4245), null, 'unreadable')
  assert.equal(readProbe(null, 4242), null, 'no probe')
})
