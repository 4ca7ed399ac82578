import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parseCpuProfile, type CpuProfile } from '../../profile/cpu-profile.js'
import { formatCpuReport } from '../../profile/cpu-report.js'
import { summarizeCpuProfile, topFunctions } from '../../profile/cpu-summary.js'

const FIXTURE = new URL('../../../test/fixtures/weather-worker.cpuprofile', import.meta.url)
const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' })
const OWN = 'file:///repo/dist/src/routes/weather.js'
const DEP = 'file:///repo/node_modules/fastify/lib/route.js'

/** root → main → recurse → recurse → leaf, plus (idle) and (garbage collector); each sample 1 ms. */
function synthetic (): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 6, 7] },
      { id: 2, callFrame: frame('main', OWN, 9), children: [3] },
      { id: 3, callFrame: frame('recurse', DEP, 19), children: [4] },
      { id: 4, callFrame: frame('recurse', DEP, 19), children: [5] },
      { id: 5, callFrame: frame('', 'node:internal/timers', 4) },
      { id: 6, callFrame: frame('(idle)') },
      { id: 7, callFrame: frame('(garbage collector)') }
    ],
    startTime: 0,
    endTime: 10_000,
    // main ×1, recurse(outer) ×1, recurse(inner) ×2, anonymous ×3, idle ×2, gc ×1
    samples: [2, 3, 4, 4, 5, 5, 5, 6, 6, 7],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]
  }
}

test('self and total per function; recursion counted once per stack; shares of the whole', () => {
  const summary = summarizeCpuProfile(synthetic(), { root: '/repo' })
  assert.equal(summary.samples, 10)
  assert.equal(summary.durationUs, 10_000)
  const fn = (name: string) => summary.functions.find((f) => f.name === name)!
  assert.deepEqual([fn('main').selfUs, fn('main').totalUs], [1000, 7000])
  // Two nodes of one function: self adds up; total counts each stack once (6 ms, not 6 + 5).
  assert.deepEqual([fn('recurse').selfUs, fn('recurse').totalUs, fn('recurse').selfSamples], [3000, 6000, 3])
  assert.deepEqual([fn('(anonymous)').selfUs, fn('(anonymous)').totalUs], [3000, 3000])
  assert.equal(fn('main').totalShare, 0.7)
  assert.equal(fn('main').location, 'dist/src/routes/weather.js:10')
  assert.equal(fn('recurse').location, 'fastify/lib/route.js:20')
  assert.deepEqual([fn('main').origin, fn('recurse').origin, fn('(anonymous)').origin, fn('(idle)').origin], ['own', 'dependency', 'node', 'v8'])
  assert.deepEqual([summary.idleUs, summary.gcUs], [2000, 1000])
  assert.deepEqual(
    Object.fromEntries(Object.entries(summary.byOrigin).map(([k, v]) => [k, v.selfUs])),
    { own: 1000, dependency: 3000, node: 3000, native: 0, v8: 3000 }
  )
  assert.ok(!summary.functions.some((f) => f.name === '(root)'))
  assert.deepEqual(topFunctions(summary, 'self', { limit: 2 }).map((f) => f.name), ['recurse', '(anonymous)'])
  assert.deepEqual(topFunctions(summary, 'total').map((f) => f.name), ['main', 'recurse', '(anonymous)'])
})

test('native frames are real work, shown; the profiler\'s own stacks go to one "(profiler)" entry, hidden', () => {
  const PROFILER = 'file:///repo/dist/src/profile-agent/worker-profiler.js'
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4] },
      { id: 2, callFrame: frame('send', OWN, 40), children: [3] },
      { id: 3, callFrame: frame('writev') },
      { id: 4, callFrame: frame('stop', PROFILER, 39), children: [5] },
      { id: 5, callFrame: frame('post', 'node:inspector', 110), children: [6] },
      { id: 6, callFrame: frame('dispatch') }
    ],
    startTime: 0,
    endTime: 10_000,
    // send ×1, writev ×3, the profiler stopping itself ×6 (a long last sample, as at Profiler.stop)
    samples: [2, 3, 3, 3, 6],
    timeDeltas: [0, 1000, 1000, 1000, 1000]
  }
  const summary = summarizeCpuProfile(profile, { root: '/repo' })
  const fn = (name: string) => summary.functions.find((f) => f.name === name)
  assert.deepEqual([fn('writev')!.origin, fn('writev')!.selfUs], ['native', 3000])
  assert.equal(fn('send')!.totalUs, 4000)
  assert.equal(fn('dispatch'), undefined, 'nothing under the profiler is credited to a function')
  assert.equal(fn('post'), undefined)
  assert.deepEqual([fn('(profiler)')!.origin, fn('(profiler)')!.selfUs, fn('(profiler)')!.selfSamples], ['v8', 6000, 1])
  assert.equal(summary.durationUs, 10_000, 'the profiler\'s time still counts in the whole')
  assert.deepEqual(topFunctions(summary, 'self').map((f) => f.name), ['writev', 'send'])
  // Without the rule the profiler's stop call would top the table.
  assert.equal(topFunctions(summarizeCpuProfile(profile, { isProfilerFrame: () => false }), 'self')[0]!.name, 'dispatch')
})

test('the last sample lasts until endTime; a profile without samples sums to zero', () => {
  const profile = synthetic()
  profile.endTime = 12_000
  assert.equal(summarizeCpuProfile(profile).durationUs, 12_000)
  const empty = { ...synthetic(), samples: [], timeDeltas: [] }
  const summary = summarizeCpuProfile(empty)
  assert.equal(summary.durationUs, 0)
  assert.deepEqual(summary.functions, [])
})

test('a malformed profile is refused with the reason', () => {
  assert.throws(() => parseCpuProfile('{"nodes":[]}', 'x.cpuprofile'), /x\.cpuprofile: expected a \.cpuprofile with nodes/)
  assert.throws(() => parseCpuProfile(JSON.stringify({ ...synthetic(), timeDeltas: [1] })), /as many timeDeltas/)
})

test('the recorded worker profile: the route handler\'s own functions appear by name, as our code', () => {
  const summary = summarizeCpuProfile(parseCpuProfile(readFileSync(FIXTURE, 'utf8')))
  assert.ok(summary.samples > 300, `a real run (${summary.samples} samples)`)
  const own = summary.functions.filter((f) => f.origin === 'own')
  for (const [name, file] of [
    ['handler', 'routes/weather.js'],
    ['send', 'routes/weather.js'],
    ['resolveCity', 'routes/weather.js'],
    ['normalizeCityName', 'cities/normalize.js']
  ] as const) {
    const fn = own.find((f) => f.name === name)
    assert.ok(fn !== undefined, `${name} is in the profile`)
    assert.match(fn.location, new RegExp(`src/${file.replace('.', '\\.')}:\\d+$`))
    assert.ok(fn.totalUs >= fn.selfUs && fn.totalUs > 0)
  }
  // Fastify's own `handler` is a different function: told apart by its file, and as a dependency.
  assert.ok(summary.functions.some((f) => f.name === 'handler' && f.origin === 'dependency' && f.location.startsWith('fastify/')))
  const handler = own.find((f) => f.name === 'handler')!
  assert.ok(handler.totalUs > handler.selfUs * 5, 'the handler calls what does the work')
  const selfSum = summary.functions.reduce((sum, f) => sum + f.selfUs, 0)
  assert.ok(Math.abs(selfSum - summary.durationUs) < 1, 'self times add up to the profile')
  for (const origin of ['own', 'dependency', 'node', 'v8'] as const) assert.ok(summary.byOrigin[origin].selfUs > 0, origin)
})

test('the terminal report: both tables, with the handler\'s functions and file:line', () => {
  const text = formatCpuReport(summarizeCpuProfile(parseCpuProfile(readFileSync(FIXTURE, 'utf8'))), { limit: 40 })
  assert.match(text, /Top 40 by self time/)
  assert.match(text, /Top 40 by total time/)
  assert.match(text, /self ms +self % +total ms +total % +samples +function +where +code/)
  assert.match(text, /\bhandler +\S*src\/routes\/weather\.js:\d+ +own/)
  assert.match(text, /\bresolveCity +\S*src\/routes\/weather\.js:\d+ +own/)
  assert.match(text, /self time by code: own \d+\.\d%, dependency/)
})
