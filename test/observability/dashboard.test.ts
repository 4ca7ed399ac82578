// observability/grafana/cachestack.json is imported into Grafana by hand, so nothing else would
// notice a broken one: this holds it to the dashboard schema's required fields, a layout Grafana
// can place, and queries that select only what the service exports or rules.yml records.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DASHBOARD, recordedNames, ROOT } from './files.js'
import { exportedMetricNames, metricNamesIn, unknownMetricNames } from './metric-names.js'

interface GridPos { x: number, y: number, w: number, h: number }
interface Target { refId?: string, expr?: string, datasource?: { type?: string, uid?: string } }
interface Panel { id?: number, type?: string, title?: string, gridPos?: GridPos, targets?: Target[], datasource?: { type?: string, uid?: string } }
interface Variable { name: string, type: string, query?: string | { query?: string }, datasource?: { type?: string, uid?: string } }
interface Dashboard { title?: string, uid?: string, schemaVersion?: number, panels?: Panel[], templating?: { list?: Variable[] } }

const dashboard = JSON.parse(await readFile(join(ROOT, DASHBOARD), 'utf8')) as Dashboard
const panels = dashboard.panels ?? []
// Every query goes to the data source the viewer picks: the `datasource` variable (a Grafana
// reference, spelt out so it reads as one rather than as a template string).
const DATASOURCE = { type: 'prometheus', uid: '$' + '{datasource}' }

test('the dashboard has the schema\'s required fields', () => {
  assert.equal(typeof dashboard.title, 'string')
  assert.ok(dashboard.title!.length > 0)
  assert.match(dashboard.uid ?? '', /^[\w-]{1,40}$/, 'a stable uid, so a re-import replaces the dashboard instead of adding one')
  assert.ok(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion! >= 36, `schemaVersion ${dashboard.schemaVersion}`)
  assert.ok(Array.isArray(dashboard.panels) && panels.length > 0, 'a panels array')
  for (const panel of panels) {
    const name = `panel ${panel.id} "${panel.title}"`
    assert.ok(Number.isInteger(panel.id), `${name}: integer id`)
    assert.match(panel.type ?? '', /^[a-z][a-z-]*$/, `${name}: type`)
    assert.ok(typeof panel.title === 'string' && panel.title.length > 0, `${name}: title`)
    const { x, y, w, h } = panel.gridPos ?? {}
    for (const [key, value] of Object.entries({ x, y, w, h })) assert.ok(Number.isInteger(value) && value! >= 0, `${name}: gridPos.${key} ${value}`)
    assert.ok(w! >= 1 && h! >= 1 && x! + w! <= 24, `${name}: gridPos within the 24-column grid`)
    assert.ok(Array.isArray(panel.targets) && panel.targets.length > 0, `${name}: targets`)
    const refIds = panel.targets!.map((target) => target.refId)
    assert.equal(new Set(refIds).size, refIds.length, `${name}: refIds unique`)
    for (const target of panel.targets!) {
      assert.ok(typeof target.expr === 'string' && target.expr.trim().length > 0, `${name}: target ${target.refId} has an expr`)
      assert.ok(typeof target.refId === 'string' && target.refId.length > 0, `${name}: target refId`)
      assert.deepEqual(target.datasource ?? panel.datasource, DATASOURCE, `${name}: target ${target.refId} data source`)
    }
    assert.deepEqual(panel.datasource, DATASOURCE, `${name}: data source`)
  }
})

test('panel ids are unique and no two panels overlap', () => {
  const ids = panels.map((panel) => panel.id)
  assert.equal(new Set(ids).size, ids.length, `duplicate panel ids: ${ids.join(', ')}`)
  for (const [i, a] of panels.entries()) {
    for (const b of panels.slice(i + 1)) {
      const p = a.gridPos!
      const q = b.gridPos!
      const overlap = p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h
      assert.ok(!overlap, `panels ${a.id} and ${b.id} overlap`)
    }
  }
})

test('the data source is a variable; the service\'s panels follow the job variable, the others name their job', () => {
  const variables = dashboard.templating?.list ?? []
  const datasource = variables.find((variable) => variable.name === 'datasource')
  assert.equal(datasource?.type, 'datasource')
  assert.equal(datasource?.query, 'prometheus')
  const job = variables.find((variable) => variable.name === 'job')
  assert.equal(job?.type, 'query')
  assert.deepEqual(job?.datasource, DATASOURCE)
  // The job variable picks a topology of the service (cachestack, cachestack-cluster); nginx,
  // Redis and the provider are scraped as jobs of their own, which a query names outright.
  for (const panel of panels) {
    for (const target of panel.targets ?? []) {
      const expr = target.expr ?? ''
      for (const name of metricNamesIn(expr)) {
        const own = /^cachestack[_:]/.test(name) && !name.startsWith('cachestack_provider_')
        if (own) assert.match(expr, /job="\$job"/, `panel ${panel.id}: ${expr} must follow the job variable`)
        else assert.match(expr, new RegExp(`${name}\\{[^}]*job="(nginx|redis|provider)"`), `panel ${panel.id}: ${name} must name its job`)
      }
    }
  }
})

test('every name a panel or variable selects is exported by the service or recorded in rules.yml', async () => {
  const [exported, recorded] = await Promise.all([exportedMetricNames(), recordedNames()])
  const queries = [
    ...panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel ${panel.id} "${panel.title}"`, expr: target.expr ?? '' }))),
    ...(dashboard.templating?.list ?? []).filter((variable) => variable.type === 'query').map((variable) => ({
      where: `variable ${variable.name}`,
      // label_values(metric, label) is Grafana's, not PromQL: the metric is its first argument.
      expr: (typeof variable.query === 'string' ? variable.query : variable.query?.query ?? '').replace(/^label_values\(([^,]*),.*\)$/, '$1')
    }))
  ]
  const unknown = queries.flatMap(({ where, expr }) => unknownMetricNames(expr, exported, recorded).map((name) => `${where}: ${name}`))
  assert.deepEqual(unknown, [], 'not exported by the service (src/metrics/metrics.ts) nor recorded in observability/prometheus/rules.yml')
})
