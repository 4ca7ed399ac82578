// What was answered: stale by the stamp's age against the TTL, old after a purge by its revision.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { AnswerLog, purgeFigures, STALE_TOLERANCE_MS } from '../../loadtest/measure/answers.js'
import { readStamp, stampBody } from '../../loadtest/bed/provider-proxy.js'

const provider = (id: number): string => JSON.stringify({ cityId: id, bucketSeconds: 600, observation: { temperatureC: 7 } })
const report = (id: number, stamped: string): string => `{"city":{"id":${id},"name":"X"},"weather":${JSON.stringify(JSON.parse(stamped).observation)}}`

test('the stamp goes inside observation, which every target passes through, and reads back', () => {
  const stamped = stampBody(provider(7), 1_000_000, 3)
  assert.equal(stamped, '{"cityId":7,"bucketSeconds":600,"observation":{"csFetchedAt":1000000,"csRevision":3,"temperatureC":7}}')
  assert.deepEqual(readStamp(stamped), { fetchedAtMs: 1_000_000, revision: 3 })
  assert.deepEqual(readStamp(report(7, stamped)), { fetchedAtMs: 1_000_000, revision: 3 })
  assert.equal(stampBody('{"cityId":1,"observation":{}}', 5, 0), '{"cityId":1,"observation":{"csFetchedAt":5,"csRevision":0}}')
  assert.equal(stampBody('{"code":"X"}', 5, 0), '{"code":"X"}')
  assert.equal(readStamp('{"ok":true}'), undefined)
})

test('an answer is stale when its data is older than the TTL (with the tolerance); errors and unstamped answers are not counted', () => {
  let now = 10_000
  const log = new AnswerLog({ ttlMs: 3000, now: () => now })
  log.record(200, stampBody(provider(1), 10_000 - 3000 - STALE_TOLERANCE_MS, 0), 100) // exactly at the bound: fresh
  log.record(200, stampBody(provider(1), 10_000 - 3000 - STALE_TOLERANCE_MS - 1, 0), 200) // past it: stale
  now = 20_000
  log.record(200, report(2, stampBody(provider(2), 19_000, 0)), 1200)
  log.record(200, report(2, stampBody(provider(2), 10_000, 0)), 1500)
  log.record(503, stampBody(provider(1), 0, 0), 1600)
  log.record(200, '{"ok":true}', 1700)
  assert.equal(log.staleBetween(), 2)
  assert.equal(log.staleBetween(0, 1000), 1)
  assert.equal(log.staleBetween(1000, 2000), 1)
  assert.deepEqual(log.stalePerSecond(3), [1, 1, 0])
  assert.equal(log.unstamped, 1)
})

test('the watched city: its answers and their revisions, from the app\'s report or the provider\'s own body', () => {
  const log = new AnswerLog({ ttlMs: 300_000, watchCityId: 5, now: () => 0 })
  log.record(200, report(5, stampBody(provider(5), 0, 2)), 10)
  log.record(200, report(51, stampBody(provider(51), 0, 2)), 11)
  log.record(200, stampBody(provider(5), 0, 3), 12)
  assert.deepEqual(log.watched(), [{ atMs: 10, revision: 2 }, { atMs: 12, revision: 3 }])
})

test('purge figures: time to fresh is the last old answer after the purge; none after it is 0; ending on an old one is null', () => {
  const answers = [{ atMs: 90, revision: 2 }, { atMs: 101, revision: 2 }, { atMs: 130, revision: 3 }, { atMs: 140, revision: 2 }, { atMs: 150, revision: 3 }]
  assert.deepEqual(purgeFigures(answers, 100, 3), { answersAfter: 4, oldAnswersAfter: 2, firstNewMs: 30, lastOldMs: 40, timeToFreshMs: 40 })
  assert.deepEqual(purgeFigures([{ atMs: 90, revision: 2 }, { atMs: 180, revision: 3 }], 100, 3),
    { answersAfter: 1, oldAnswersAfter: 0, firstNewMs: 80, lastOldMs: null, timeToFreshMs: 0 })
  assert.equal(purgeFigures([{ atMs: 120, revision: 3 }, { atMs: 130, revision: 2 }], 100, 3).timeToFreshMs, null)
  assert.equal(purgeFigures([], 100, 3).timeToFreshMs, null)
})
