// The freshness a cached answer advertises: max-age to everyone, a shorter s-maxage to shared
// caches (the bound on the edge serving a purged answer), the grace as RFC 5861 extensions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEntry } from '../../src/cache/entry.js'
import { answerHeads } from '../../src/routes/weather.js'

const entry = createEntry('{"city":"Oslo"}', 1_000_000)
const headOf = answerHeads(() => 1_000_000, 600_000, 2)

test('s-maxage is the shared-cache bound, never more than the freshness left', () => {
  assert.equal(headOf(entry, 'HIT-L1', 300_000, '', undefined).cacheControl, 'public, max-age=300, s-maxage=2, stale-while-revalidate=600, stale-if-error=600')
  assert.equal(headOf(entry, 'HIT-L1', 1_500, '', undefined).cacheControl, 'public, max-age=1, s-maxage=1, stale-while-revalidate=600, stale-if-error=600')
  assert.equal(headOf(entry, 'STALE', -5_000, '', undefined).cacheControl, 'public, max-age=0, s-maxage=0, stale-while-revalidate=600, stale-if-error=600')
})

test('SHARED_MAX_AGE_SECONDS=0: shared caches must ask every time; no grace, no extensions', () => {
  assert.equal(answerHeads(() => 1_000_000, 0, 0)(entry, 'MISS', 300_000, '', undefined).cacheControl, 'public, max-age=300, s-maxage=0')
})
