import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parseResults, ResultsSchema, SCHEMA_VERSION, validateResults } from '../../loadtest/report/schema.js'
import { renderJsonReport } from '../../loadtest/report/report-json.js'
import { SweepResultsSchema, SWEEP_SCHEMA_VERSION } from '../../loadtest/sweep/schema.js'
import { fakeResults, peerResults, stormResults, TYPICAL } from './fixtures.js'

test('a results document built by the real code validates and round-trips through JSON', () => {
  const results = fakeResults(TYPICAL)
  assert.deepEqual(validateResults(results), [])
  const parsed = parseResults(renderJsonReport(results), 'fixture')
  assert.equal(parsed.schemaVersion, SCHEMA_VERSION)
  assert.equal(parsed.results.length, TYPICAL.length)
})

test('invalid documents are refused, with the path of the problem', () => {
  const results = fakeResults(TYPICAL)
  const missing = structuredClone(results) as unknown as { results: Array<{ summary: Record<string, unknown> }> }
  delete missing.results[0]!.summary.requestsPerSecond
  assert.ok(validateResults(missing).some((p) => p.startsWith('/results/0/summary')), validateResults(missing).join('\n'))
  const extra = { ...structuredClone(results), surprise: 1 }
  assert.notDeepEqual(validateResults(extra), [])
  const negative = structuredClone(results)
  negative.results[0]!.measurements[0]!.requests = -1
  assert.notDeepEqual(validateResults(negative), [])
  assert.throws(() => renderJsonReport(negative), /do not match their schema/)
  assert.throws(() => parseResults(JSON.stringify({ ...results, schemaVersion: 99 }), 'old.json'), /old\.json: schemaVersion 99/)
  assert.throws(() => parseResults('{', 'broken.json'), /broken\.json: not JSON/)
})

/** Every object of the schema as (title, field) pairs; an untitled object is a failure. */
function documentedFields (schema: unknown, out: Array<[string, string]> = []): Array<[string, string]> {
  const s = schema as {
    type?: string
    title?: string
    properties?: Record<string, unknown>
    items?: unknown
    anyOf?: unknown[]
    patternProperties?: Record<string, unknown>
  }
  if (s.anyOf !== undefined) for (const alt of s.anyOf) documentedFields(alt, out)
  if (s.items !== undefined) documentedFields(s.items, out)
  if (s.type === 'object' && s.properties !== undefined) {
    assert.ok(s.title !== undefined, `an object schema without a title: ${JSON.stringify(Object.keys(s.properties))}`)
    for (const [key, child] of Object.entries(s.properties)) {
      out.push([s.title, key])
      documentedFields(child, out)
    }
  }
  return out
}

test('SCHEMA.md documents every field of every object as `Title.field` (the doc cannot drift from the code)', () => {
  const doc = readFileSync(new URL('../../../loadtest/report/SCHEMA.md', import.meta.url), 'utf8')
  const fields = [...new Set(documentedFields(ResultsSchema).map(([title, key]) => `${title}.${key}`))]
  assert.ok(fields.length > 80, `only ${fields.length} fields found`)
  const undocumented = fields.filter((f) => !doc.includes('`' + f + '`'))
  assert.deepEqual(undocumented, [], 'fields missing from loadtest/report/SCHEMA.md')
  assert.ok(doc.includes(`Current version: ${SCHEMA_VERSION}`))
})

test('a version 1 file is read as the current version: every added field null (or steady, {}), so old runs still compare', () => {
  const current = fakeResults(TYPICAL)
  const v1 = structuredClone(current) as unknown as Record<string, any>
  v1.schemaVersion = 1
  for (const k of ['stormCities', 'stormTtlSeconds', 'stampedeConnections', 'stampedeWaves']) delete v1.options[k]
  for (const s of v1.scenarios) { delete s.kind; delete s.appEnv }
  for (const r of v1.results) {
    for (const m of r.measurements) { delete m.timeline; delete m.expiryWindow; delete m.stampede }
    for (const k of ['expiryP99Ms', 'expiryOriginCalls', 'expiryFailures', 'firstAnswerMs', 'lastAnswerMs', 'maxOriginCallsPerWave']) delete r.summary[k]
  }
  assert.notDeepEqual(validateResults(v1), [])
  const parsed = parseResults(JSON.stringify(v1), 'v1.json')
  assert.equal(parsed.schemaVersion, SCHEMA_VERSION)
  assert.equal(parsed.options.stormTtlSeconds, null)
  assert.deepEqual(parsed.scenarios[0]!.appEnv, {})
  assert.equal(parsed.scenarios[0]!.kind, 'steady')
  assert.equal(parsed.results[0]!.measurements[0]!.timeline, null)
  assert.equal(parsed.results[0]!.summary.maxOriginCallsPerWave, null)
  assert.equal(parsed.results[0]!.summary.requestsPerSecond.median, current.results[0]!.summary.requestsPerSecond.median)
})

test('storm fields validate: timeline, expiry window, stampede waves', () => {
  const results = stormResults()
  assert.deepEqual(validateResults(results), [])
  const broken = structuredClone(results)
  broken.results[0]!.measurements[0]!.stampede!.waves[0]!.originCalls = -1
  assert.ok(validateResults(broken).some((p) => p.includes('/stampede/waves/0/originCalls')), validateResults(broken).join('\n'))
})

test('a version 2 file (no peers, outage, purge or stale answers) is read as version 3 as it is', () => {
  const v2 = structuredClone(fakeResults(TYPICAL)) as unknown as Record<string, any>
  v2.schemaVersion = 2
  delete v2.options.outageSeconds
  for (const r of v2.results) {
    for (const k of ['servingCpuMicrosPerRequest', 'staleAnswers', 'outageAvailability', 'outageStaleAnswers', 'outageOriginCalls', 'recoveryOriginCalls',
      'purgeSupported', 'timeToFreshMs']) delete r.summary[k]
  }
  const parsed = parseResults(JSON.stringify(v2), 'v2.json')
  assert.equal(parsed.schemaVersion, 3)
  assert.equal(parsed.results[0]!.summary.timeToFreshMs, undefined)
})

test('version 3 fields validate: a peer, the outage, the purge, stale answers per second', () => {
  const results = peerResults()
  assert.deepEqual(validateResults(results), [])
  const varnish = results.results.find((r) => r.target === 'peer-varnish' && r.scenario === 'purge')!
  assert.equal(varnish.kind, 'peer')
  assert.equal(varnish.summary.timeToFreshMs, 0)
  assert.equal(results.results.find((r) => r.target === 'peer-undici-cache' && r.scenario === 'purge')!.summary.purgeSupported, false)
  const broken = structuredClone(results)
  broken.results[0]!.measurements[0]!.outage!.originCalls = -1
  assert.ok(validateResults(broken).some((p) => p.includes('/outage/originCalls')), validateResults(broken).join('\n'))
})

test('SCHEMA.md documents every field of sweep.json too', () => {
  const doc = readFileSync(new URL('../../../loadtest/report/SCHEMA.md', import.meta.url), 'utf8')
  const fields = [...new Set(documentedFields(SweepResultsSchema).map(([title, key]) => `${title}.${key}`))]
  assert.ok(fields.length > 40, `only ${fields.length} fields found`)
  assert.deepEqual(fields.filter((f) => !doc.includes('`' + f + '`')), [], 'sweep fields missing from loadtest/report/SCHEMA.md')
  assert.ok(doc.includes(`sweep.json, version ${SWEEP_SCHEMA_VERSION}`))
})
