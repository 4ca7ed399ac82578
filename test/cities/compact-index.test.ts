// The compact index (typed arrays over one file) against the object index (CityIndex), over the
// whole data set: for every city's canonical name, alt name and "X City" alias, with and without
// its country and with a wrong one, both resolve to the same city, and every field of every city
// is identical. Also: a corrupt, truncated or stale file is refused with a clear error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { City } from '../../src/cities/city.js'
import { CityIndex } from '../../src/cities/city-index.js'
import { compileCompactCities } from '../../src/cities/compact-city-compiler.js'
import { headerProblem, openCompactCityIndex } from '../../src/cities/compact-city-file.js'
import { CityFileError, datasetVersion } from '../../src/cities/compact-city-format.js'
import { CompactCityIndex } from '../../src/cities/compact-city-index.js'
import { canonicalName } from '../../src/cities/normalize.js'
import { cities, cityIndex } from '../helpers/fixtures.js'

const DATASET = 'test'
const city = (id: number, name: string, country: string, population: number, altName = '') =>
  ({ id, name, altName, country, population, lat: 0, lon: 0, key: String(id) })

let bytes: Uint8Array | undefined
const compiled = (): Uint8Array => (bytes ??= compileCompactCities(cities(), DATASET))
const fields = (c: City | undefined) => c === undefined
  ? undefined
  : { id: c.id, name: c.name, country: c.country, population: c.population, lat: c.lat, lon: c.lon, key: c.key }

test('the small cases of CityIndex: most populous, ties to the lowest id, country, ASCII name, "X City" only where no "X"', () => {
  const data = [
    city(5, 'Springfield', 'US', 150_000), city(3, 'Springfield', 'US', 150_000), city(9, 'Springfield', 'AU', 20_000),
    city(7, 'São Paulo', 'BR', 10_000_000, 'Sao Paulo'), city(8, ' Saint  LOUIS ', 'US', 300_000), city(20, 'Kraków 𝔸', 'PL', 5),
    city(10, 'New York City', 'US', 8_000_000), city(11, 'Mexico City', 'MX', 9_000_000), city(12, 'Mexico', 'US', 2_000)
  ]
  const index = new CityIndex(data)
  const compact = new CompactCityIndex(compileCompactCities(data, DATASET), { dataset: DATASET })
  const queries: Array<[string, string?]> = [
    ['springfield'], ['springfield', 'US'], ['springfield', 'AU'], ['springfield', 'FR'], ['são paulo'], ['sao paulo'], ['saint louis'],
    ['new york'], ['new york', 'GB'], ['new york city'], ['mexico'], ['mexico', 'MX'], ['mexico city'], ['kraków 𝔸'], ['kraków 𝔹'], ['krakow'],
    ['lyon'], [''], ['\ud835'], ['kraków \ud835']
  ]
  for (const [name, country] of queries) {
    assert.deepEqual(fields(compact.resolve(name, country)), fields(index.resolve(name, country)), `${name} ${country ?? ''}`)
  }
  assert.equal(compact.resolve('springfield')?.id, 3)
  assert.equal(compact.size, data.length)
})

test('the whole data set: every name, alt name and alias resolves to the same city, with and without its country', () => {
  const index = cityIndex()
  const compact = new CompactCityIndex(compiled(), { dataset: DATASET })
  assert.equal(compact.size, index.size)
  const mismatches: string[] = []
  let checked = 0
  const check = (name: string, country?: string): void => {
    checked++
    const want = index.resolve(name, country)?.id
    const got = compact.resolve(name, country)?.id
    if (want !== got && mismatches.length < 20) mismatches.push(`${JSON.stringify(name)} ${country ?? ''}: ${got} instead of ${want}`)
  }
  const all = cities()
  for (let i = 0; i < all.length; i++) {
    const c = all[i]!
    const other = all[(i + 7919) % all.length]!.country
    const names = [canonicalName(c.name)]
    if (c.altName) names.push(canonicalName(c.altName))
    const alias = /^(.+) City$/.exec(c.name)
    if (alias !== null) names.push(canonicalName(alias[1]!))
    for (const name of names) {
      check(name)
      check(name, c.country)
      check(name, other)
      check(name, 'ZZ')
    }
  }
  for (const name of ['nowhere at all', 'londonx', 'x', ' london', 'London', 'lond', 'é', '😀']) check(name)
  assert.deepEqual(mismatches, [], `${mismatches.length} of ${checked} lookups differ`)
  assert.ok(checked > 4 * all.length)
})

test('the whole data set: every field of every city is identical, and a city is one object however often it is asked for', () => {
  const index = cityIndex()
  const compact = new CompactCityIndex(compiled(), { dataset: DATASET })
  const mismatches: string[] = []
  for (const c of cities()) {
    const want = fields(index.byId(c.id))
    const got = fields(compact.byId(c.id))
    if (mismatches.length < 20 && JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${JSON.stringify(got)} instead of ${JSON.stringify(want)}`)
    // Identity, not only equal JSON: -0, NaN and float bits alike.
    if (got !== undefined && want !== undefined && !(Object.is(got.lat, want.lat) && Object.is(got.lon, want.lon))) mismatches.push(`${c.id}: coordinates`)
  }
  assert.deepEqual(mismatches, [])
  assert.equal(compact.byId(-1), undefined)
  assert.equal(compact.byId(2 ** 31 - 1), undefined)
  assert.equal(compact.resolve('london'), compact.resolve('london'))
  assert.equal(compact.resolve('london'), compact.byId(compact.resolve('london')!.id))
})

test('a corrupt, truncated or stale file is refused with a clear error', () => {
  const good = compiled()
  const flipped = new Uint8Array(good)
  flipped[flipped.length - 100]! ^= 1
  assert.throws(() => new CompactCityIndex(flipped, { dataset: DATASET }), (err: unknown) => err instanceof CityFileError && /checksum/.test(err.message))
  const truncated = new Uint8Array(good.subarray(0, good.length - 1000))
  assert.throws(() => new CompactCityIndex(truncated, { dataset: DATASET }), (err: unknown) => err instanceof CityFileError && /truncated/.test(err.message))
  assert.throws(() => new CompactCityIndex(good, { dataset: '0.0.0' }), (err: unknown) => err instanceof CityFileError && /stale/.test(err.message))
  assert.throws(() => new CompactCityIndex(new Uint8Array(16), { dataset: DATASET }), (err: unknown) => err instanceof CityFileError && /magic/.test(err.message))

  const dir = mkdtempSync(join(tmpdir(), 'cs-cities-'))
  try {
    const path = join(dir, 'cities.bin')
    assert.equal(headerProblem(path, DATASET), 'missing')
    writeFileSync(path, good)
    assert.equal(headerProblem(path, DATASET), undefined)
    assert.match(headerProblem(path, '0.0.0') ?? '', /stale/)
    writeFileSync(path, truncated)
    assert.match(headerProblem(path, DATASET) ?? '', /truncated/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the built file (npm run build) opens for the installed data set and answers like CityIndex', () => {
  const compact = openCompactCityIndex()
  assert.equal(compact.size, cityIndex().size)
  for (const name of ['london', 'paris', 'new york', 'são paulo', 'sao paulo', 'tokyo']) {
    assert.deepEqual(fields(compact.resolve(name)), fields(cityIndex().resolve(name)), name)
  }
  assert.equal(compact.resolve('paris', 'US')?.country, 'US')
  assert.ok(datasetVersion().length > 0)
})
