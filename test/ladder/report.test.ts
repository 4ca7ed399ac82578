// The ladder's reports: ratios to rung 0, to the previous rung and to the limit; the table in
// the terminal and in Markdown; the story of which function each profile named before each step.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renderLadderMarkdown, renderLadderTerminal, stepStory, ladderRows, LADDER_COLUMNS } from '../../ladder/report.js'
import { chartData, renderLadderHtml } from '../../ladder/report-html.js'
import { measuredRuns, withLadderRatios } from '../../ladder/results.js'
import { RUNGS } from '../../ladder/rungs.js'
import { parseLadderArgs } from '../../ladder/options.js'
import { stackGroups } from '../../ladder/runner.js'
import { ladderFixture, measurement } from './fixtures.js'

test('ratios: × rung 0, step gain, CPU per request against the previous rung, share of the limit', () => {
  const results = ladderFixture()
  const [zero, one, two] = results.rungs
  assert.equal(zero!.ratioToFirst, 1)
  assert.equal(zero!.stepGain, null)
  assert.equal(zero!.cpuPerRequestRatio, null)
  assert.equal(one!.stepGain, 2)
  assert.equal(two!.ratioToFirst, 4)
  assert.equal(two!.cpuPerRequestRatio, 0.5)
  assert.equal(zero!.fractionOfLimit, 10 / 10_240)
  const last = results.rungs[results.rungs.length - 1]!
  assert.equal(last.fractionOfLimit, (10 * 2 ** (RUNGS.length - 1)) / 10_240)
})

test('without a baseline or CPU figures the ratios are null, not NaN or Infinity', () => {
  const m = measurement(0, 1, 1, 0)
  m.resources.app = null
  const [a, b] = withLadderRatios(
    [{ ...ladderFixture().rungs[0]!, ...measuredRuns([m]) }, { ...ladderFixture().rungs[1]!, ...measuredRuns([measurement(5, 1, 1, 0)]) }],
    null
  )
  assert.equal(a!.fractionOfLimit, null)
  assert.equal(b!.stepGain, null, 'rung 0 served nothing: no ratio')
  assert.equal(b!.cpuPerRequestRatio, null)
})

test('the terminal table has a row per rung and the limit, with the figures and the profile\'s top three', () => {
  const results = ladderFixture()
  const text = renderLadderTerminal(results)
  const lines = text.split('\n')
  const header = lines.find((l) => l.startsWith('rung'))!
  for (const c of LADDER_COLUMNS) assert.ok(header.includes(c.header), c.header)
  const row = (id: string): string => lines.find((l) => l.startsWith(id + ' '))!
  // Medians over the two rounds (10% above and below), and the spread between them.
  assert.match(row('0'), /^0 +naive +10 +±10\.0% +1\.00× +– +0\.1% +250 +1,000 +100,000 +– +100 +0 +canonicalName 50\.0%, linearScan 25\.0%, resolve 16\.7%$/)
  assert.match(row('2a'), /caching +40 +±10\.0% +4\.00× +2\.00× .* 25,000 +0\.50× +98 /)
  assert.match(row('limit'), /^limit +baseline +10,240 +±0\.0% +1024\.0× +100\.0%/)
  assert.equal(ladderRows(results).length, RUNGS.length + 1)
  assert.match(text, /Profiles: a separate short run, 2 s per rung/)
})

test('the story names the function each profile named before each step, and what the step gained', () => {
  const story = stepStory(ladderFixture())
  assert.equal(story.length, RUNGS.length - 1)
  assert.match(story[0]!, /^Rung 0 → 1 \(indexed city lookup.*\): the profile of rung 0 named canonicalName; req\/s 2\.00× \(now 2\.00× rung 0, 0\.2% of the limit\), CPU per request 0\.50×, origin calls 100 → 99\.$/)
  assert.match(story[1]!, /the profile of rung 1 named fn1a;/)
})

test('Markdown: the same table, the steps, each rung\'s switches, the columns', () => {
  const md = renderLadderMarkdown(ladderFixture())
  assert.match(md, /^# cachestack optimization ladder/)
  assert.match(md, /^Command: `npm run ladder -- --quick`/m)
  assert.match(md, /^\| rung \| stage \| req\/s \|/m)
  assert.match(md, /^\|---:?|:---/m)
  assert.match(md, /^\| 0 \| naive \| 10 \| ±10\.0% \| 1\.00× \|/m)
  assert.match(md, /^- \*\*0\*\* \(naive\).*`NAIVE=resolver,serialize,connection REDIS_AUTO_PIPELINING=false CACHE_STRATEGY=none`, nginx upstream keep-alive off/m)
  assert.match(md, /^- \*\*4\*\* \(tricks\).*`NAIVE=none REDIS_AUTO_PIPELINING=true CACHE_STRATEGY=layered`, nginx upstream keep-alive 64/m)
  assert.match(md, /^- Rung 3c → 4 /m)
})

test('HTML: self-contained, the chart data per rung, links to the flame graphs relative to the page', () => {
  const results = ladderFixture()
  const data = chartData(results)
  assert.deepEqual(data.rps, RUNGS.map((_, i) => 10 * 2 ** i))
  assert.equal(data.limit, 10_240)
  assert.equal(data.labels[0], '0 naive')
  const html = renderLadderHtml(results, '/* chart.js */', '/tmp/out/ladder.html')
  assert.match(html, /<canvas id="chart-ladder">/)
  assert.match(html, /href="profiles\/rung-x\/w\.flame\.html"/)
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3)/, 'nothing from the network')
  assert.ok(!html.includes('</script</'))
})

test('rungs of one nginx configuration share a stack: 0 … 3b without upstream keep-alive, then 3c and 4', () => {
  assert.deepEqual(stackGroups(RUNGS).map((group) => group.map((rung) => rung.id)), [['0', '1', '2a', '2b', '3a', '3b'], ['3c', '4']])
})

test('--rounds: parsed and bounded; --quick is three rounds of 1.5 s unless told otherwise', () => {
  assert.equal(parseLadderArgs([]).options.rounds, 3)
  assert.deepEqual([parseLadderArgs(['--quick']).options.rounds, parseLadderArgs(['--quick']).options.durationSeconds], [3, 1.5])
  assert.equal(parseLadderArgs(['--quick', '--rounds', '5']).options.rounds, 5)
  assert.throws(() => parseLadderArgs(['--rounds', '0']), (err: Error & { code: string }) => err.code === 'CS_ERR_LADDER_OPTION' && /rounds/.test(err.message))
  assert.throws(() => parseLadderArgs(['--rounds', '1.5']), (err: Error & { code: string }) => err.code === 'CS_ERR_LADDER_OPTION')
})

test('a step whose rounds overlap the previous rung\'s is called within the noise; separated rounds are not', () => {
  const results = ladderFixture()
  assert.ok(results.rungs.slice(1).every((r) => r.stepBeyondNoise === true))
  assert.equal(results.rungs[0]!.stepBeyondNoise, null)
  const [a, b] = withLadderRatios([
    { ...results.rungs[0]!, ...measuredRuns([measurement(100, 1, 1, 0, 1), measurement(120, 1, 1, 0, 2)]) },
    { ...results.rungs[1]!, ...measuredRuns([measurement(115, 1, 1, 0, 1), measurement(130, 1, 1, 0, 2)]) }
  ], null)
  assert.equal(b!.stepBeyondNoise, false)
  const story = stepStory({ ...results, rungs: [a!, b!] })
  assert.match(story[0]!, /Within the noise: the two rungs' rounds overlap \(100–120 against 115–130 req\/s\), so this run does not rank them\.$/)
  assert.doesNotMatch(stepStory(results)[0]!, /Within the noise/)
  const single = withLadderRatios(
    [{ ...results.rungs[0]!, ...measuredRuns([measurement(100, 1, 1, 0)]) }, { ...results.rungs[1]!, ...measuredRuns([measurement(101, 1, 1, 0)]) }],
    null
  )
  assert.equal(single[1]!.stepBeyondNoise, null, 'one round: no spread to judge by')
})
