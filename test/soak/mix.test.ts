// The mixed load: each kind at its share, cold cities never repeated, ETags reused, every
// invalid input with the answer it must get.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import type { RequestCity } from '../../loadtest/drive/cities.js'
import { DEFAULT_MIX, INVALID_INPUTS, REQUEST_KINDS, RequestMix, type PlannedRequest, type RequestKind } from '../../soak/mix.js'

const city = (i: number, population: number): RequestCity => ({ id: i, name: `city${i}`, country: 'XX', population, segment: `city${i}` })
const HOT = Array.from({ length: 50 }, (_, i) => city(i, 1_000_000 - i * 10_000))
const COLD = Array.from({ length: 400 }, (_, i) => city(1000 + i, 5_000))
const TOKEN = 'a-purge-token-of-24-chars'

function draw (n: number, seed = 7): PlannedRequest[] {
  const mix = new RequestMix({ hot: HOT, cold: COLD, shares: DEFAULT_MIX, purgeToken: TOKEN, seed })
  return Array.from({ length: n }, () => mix.next())
}

test('each kind is drawn at its share', () => {
  const drawn = draw(20_000)
  for (const kind of REQUEST_KINDS) {
    const share = drawn.filter((r) => r.kind === kind).length / drawn.length
    assert.ok(Math.abs(share - DEFAULT_MIX[kind]) < 0.01, `${kind}: ${share} vs ${DEFAULT_MIX[kind]}`)
  }
})

test('the same seed draws the same requests; another seed others', () => {
  assert.deepEqual(draw(500, 1), draw(500, 1))
  assert.notDeepEqual(draw(500, 1).map((r) => r.path), draw(500, 2).map((r) => r.path))
})

test('cold misses: each a city outside the hot set, none requested twice until all are used', () => {
  const mix = new RequestMix({ hot: HOT, cold: COLD, shares: { hit: 0, conditional: 0, cold: 1, purge: 0, invalid: 0 }, purgeToken: TOKEN, seed: 1 })
  const paths = Array.from({ length: COLD.length }, () => mix.next().path)
  assert.equal(new Set(paths).size, COLD.length)
  assert.equal(mix.coldRecycled, 0)
  const hotPaths = new Set(HOT.map((c) => `/weather/${c.segment}`))
  assert.ok(paths.every((p) => !hotPaths.has(p)))
  mix.next()
  assert.equal(mix.coldRecycled, 1, 'the pool starting over is counted')
  assert.throws(() => new RequestMix({ hot: HOT, cold: [HOT[3]!], shares: DEFAULT_MIX, purgeToken: TOKEN, seed: 1 }), /outside the hot set/)
})

test('hits follow population: the most populous city is requested most', () => {
  const hits = draw(20_000).filter((r) => r.kind === 'hit')
  const count = (segment: string): number => hits.filter((r) => r.path === `/weather/${segment}`).length
  assert.ok(count(HOT[0]!.segment) > count(HOT[49]!.segment))
  assert.ok(hits.every((r) => r.method === 'GET' && r.expect.length === 1 && r.expect[0] === 200))
})

test('conditional requests send the ETag remembered for that city: 304 or 200 then; 200 before any', () => {
  const mix = new RequestMix({ hot: HOT, cold: COLD, shares: { hit: 0, conditional: 1, cold: 0, purge: 0, invalid: 0 }, purgeToken: TOKEN, seed: 3 })
  const first = mix.next()
  assert.equal(first.variant, 'unknown-etag')
  assert.deepEqual(first.expect, [200])
  for (let i = 0; i < HOT.length; i++) mix.remember(i, `"etag-${i}"`)
  const next = mix.next()
  assert.equal(next.variant, 'matching')
  assert.equal(next.headers['if-none-match'], `"etag-${next.hotIndex}"`)
  assert.equal(next.path, `/weather/${HOT[next.hotIndex]!.segment}`)
  assert.deepEqual([...next.expect].sort(), [200, 304])
})

test('purges are authorized DELETEs of hot cities, expecting 204', () => {
  const purges = draw(5000).filter((r) => r.kind === 'purge')
  assert.ok(purges.length > 0)
  for (const p of purges) {
    assert.equal(p.method, 'DELETE')
    assert.equal(p.headers.authorization, `Bearer ${TOKEN}`)
    assert.deepEqual(p.expect, [204])
  }
})

test('invalid inputs: every case in turn, each with its status and error code; unknown names never repeat', () => {
  const mix = new RequestMix({ hot: HOT, cold: COLD, shares: { hit: 0, conditional: 0, cold: 0, purge: 0, invalid: 1 }, purgeToken: TOKEN, seed: 3 })
  const drawn = Array.from({ length: INVALID_INPUTS.length * 2 }, () => mix.next())
  assert.deepEqual(drawn.slice(0, INVALID_INPUTS.length).map((r) => r.variant), INVALID_INPUTS.map((i) => i.variant))
  for (const r of drawn) {
    assert.ok(r.expect.length === 1 && r.expect[0]! >= 400 && r.expect[0]! < 500, `${r.variant}: a 4xx`)
    assert.match(r.expectCode ?? '', /^CS_ERR_/)
  }
  const unknown = drawn.filter((r) => r.variant === 'unknown-city').map((r) => r.path)
  assert.equal(new Set(unknown).size, unknown.length)
  const withoutToken = drawn.find((r) => r.variant === 'purge-without-token')!
  assert.equal(withoutToken.headers.authorization, undefined)
  assert.deepEqual(withoutToken.expect, [401])
})

test('kinds with a zero share are never drawn', () => {
  const shares: Record<RequestKind, number> = { hit: 0.5, conditional: 0, cold: 0.5, purge: 0, invalid: 0 }
  const mix = new RequestMix({ hot: HOT, cold: COLD, shares, purgeToken: TOKEN, seed: 9 })
  const kinds = new Set(Array.from({ length: 1000 }, () => mix.next().kind))
  assert.deepEqual([...kinds].sort(), ['cold', 'hit'])
})
