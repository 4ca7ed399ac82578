// The Prometheus side of observability/: promtool must accept the rules and the scrape config and
// pass the rules' unit tests, and every name the rules select must be one the service exports —
// an alert on a misspelt metric is valid PromQL that never fires. Needs promtool, no server.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isAlert, PROMETHEUS_CONFIG, readRules, readYaml, recordedNames, RULES, RULES_TESTS, runPromtool, type RulesTestFile } from './files.js'
import { exportedMetricNames, metricNamesIn, unknownMetricNames } from './metric-names.js'

test('promtool check rules: rules.yml is valid, with no lint finding', async () => {
  const { code, output } = await runPromtool(['check', 'rules', '--lint=all', '--lint-fatal', RULES])
  assert.equal(code, 0, `promtool check rules exited ${code}:\n${output}`)
})

test('promtool test rules: every recording rule and alert does what rules.test.yml says', async () => {
  const { code, output } = await runPromtool(['test', 'rules', RULES_TESTS])
  assert.equal(code, 0, `promtool test rules exited ${code}:\n${output}`)
})

test('promtool check config: prometheus.yml, and the rule file it loads', async () => {
  const { code, output } = await runPromtool(['check', 'config', PROMETHEUS_CONFIG])
  assert.equal(code, 0, `promtool check config exited ${code}:\n${output}`)
  assert.match(output, /1 rule files found/, 'prometheus.yml must load rules.yml')
})

test('every metric name in rules.yml is one the service exports, one of its recording rules, or up', async () => {
  const [exported, recorded, rules] = await Promise.all([exportedMetricNames(), recordedNames(), readRules()])
  const unknown: string[] = []
  for (const rule of rules) {
    const name = isAlert(rule) ? rule.alert : rule.record
    const names = metricNamesIn(rule.expr)
    assert.ok(names.length > 0, `${name}: no metric name found in ${rule.expr}`)
    for (const missing of unknownMetricNames(rule.expr, exported, recorded)) unknown.push(`${name}: ${missing}`)
    // Names quoted in the annotations are what an operator will query first: they must exist too.
    for (const text of Object.values(isAlert(rule) ? rule.annotations ?? {} : {})) {
      for (const [quoted] of text.matchAll(/\bcachestack(?:_\w+|:\w+:\w+)/g)) {
        if (!exported.has(quoted) && !recorded.has(quoted)) unknown.push(`${name} (annotation): ${quoted}`)
      }
    }
  }
  assert.deepEqual(unknown, [], `not exported by the service (src/metrics/metrics.ts) nor recorded in ${RULES}`)
})

test('the exported names are the aggregated ones: the primary drops process_start_time_seconds', async () => {
  // Why CachestackWorkerRestarting cannot use start times (see its comment in rules.yml); if this
  // ever fails, prom-client aggregates start times now and that alert can be made exact.
  const exported = await exportedMetricNames()
  assert.ok(exported.has('cachestack_process_cpu_seconds_total'))
  assert.ok(exported.has('cachestack_http_request_duration_seconds_bucket'))
  assert.ok(!exported.has('cachestack_process_start_time_seconds'))
})

test('the name check catches a misspelt metric, and reads names the way PromQL writes them', async () => {
  const exported = await exportedMetricNames()
  const misspelt = 'sum by (job) (rate(cachestack_cache_hit_total{layer="l1"}[5m]))'
  assert.deepEqual(unknownMetricNames(misspelt, exported), ['cachestack_cache_hit_total'])
  const unprefixed = 'rate(process_cpu_seconds_total[5m])'
  assert.deepEqual(unknownMetricNames(unprefixed, exported), ['process_cpu_seconds_total'], 'default metrics carry the cachestack_ prefix')
  const modifiers = 'a:b:rate5m{x="y z"} / on (job) group_left () sum without (le) (c_total offset 10m) > bool 1e3 and d'
  assert.deepEqual(metricNamesIn(modifiers), ['a:b:rate5m', 'c_total', 'd'])
  assert.deepEqual(metricNamesIn('histogram_quantile(0.99, sum by (le) (rate(h_bucket{job="$job"}[$__rate_interval])))'), ['h_bucket'])
  assert.throws(() => metricNamesIn('{__name__=~"cachestack_.*"}'), /__name__/)
})

test('alerts carry what an operator needs; recording rules follow cachestack:<what>:<window>', async () => {
  for (const rule of await readRules()) {
    if (!isAlert(rule)) {
      assert.match(rule.record, /^cachestack:[a-z0-9_]+:[a-z0-9_]+$/, rule.record)
      continue
    }
    assert.match(rule.for ?? '', /^\d+[smh]$/, `${rule.alert}: for:`)
    assert.match(rule.labels?.severity ?? '', /^(critical|warning)$/, `${rule.alert}: severity label`)
    assert.ok((rule.annotations?.summary ?? '').length > 0, `${rule.alert}: summary`)
    assert.match(rule.annotations?.description ?? '', /Check first:/, `${rule.alert}: the description says what to check first`)
  }
})

test('rules.test.yml tests every recording rule for values, and every alert firing and silent', async () => {
  const [rules, tests] = await Promise.all([readRules(), readYaml<RulesTestFile>(RULES_TESTS)])
  const exprTests = tests.tests.flatMap((t) => t.promql_expr_test ?? []).filter((t) => (t.exp_samples ?? []).length > 0)
  const alertTests = tests.tests.flatMap((t) => t.alert_rule_test ?? [])
  for (const rule of rules) {
    if (!isAlert(rule)) {
      assert.ok(exprTests.some((t) => metricNamesIn(t.expr).includes(rule.record)), `${rule.record}: no promql_expr_test with expected samples`)
      continue
    }
    const cases = alertTests.filter((t) => t.alertname === rule.alert)
    assert.ok(cases.some((t) => (t.exp_alerts ?? []).length > 0), `${rule.alert}: no case where it fires`)
    assert.ok(cases.some((t) => (t.exp_alerts ?? []).length === 0), `${rule.alert}: no case where it stays silent`)
  }
})
