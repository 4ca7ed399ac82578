// The compact index (typed arrays over one file) against the object index (CityIndex), over the
// whole data set: for every city's canonical name, alt name and "X City" alias, with and without
// its country and with a wrong one, both resolve to the same city, and every field of every city
// is identical. Also: a corrupt, truncated or stale file is refused at open with a clear error; a
// file whose invariants are broken (with a checksum to match) is refused where files are written.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { City } from '../../src/cities/city.js'
import { CityIndex } from '../../src/cities/city-index.js'
import { compileCompactCities } from '../../src/cities/compact-city-compiler.js'
import { headerProblem, openCompactCityIndex } from '../../src/cities/compact-city-file.js'
import {
  CityFileError, PREAMBLE_BYTES, SECTIONS, datasetVersion, payloadChecksum, readHeader, sectionPlaces, type SectionName, type Sections
} from '../../src/cities/compact-city-format.js'
import { CompactCityIndex } from '../../src/cities/compact-city-index.js'
import { readCompactCityFile } from '../../src/cities/compact-city-reader.js'
import { verifyCompactCities } from '../../src/cities/compact-city-verify.js'
import { writeCompactCityFile } from '../../src/cities/compact-city-writer.js'
import { canonicalName } from '../../src/cities/normalize.js'
import { cities, cityIndex } from '../helpers/fixtures.js'

const DATASET = 'test'
const city = (id: number, name: string, country: string, population: number, altName = '') =>
  ({ id, name, altName, country, population, lat: 0, lon: 0, key: String(id) })

let bytes: Uint8Array | undefined
const compiled = (): Uint8Array => (bytes ??= compileCompactCities(cities(), DATASET))

/** `run` with a fresh directory, removed after. */
function inDir<T> (run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cs-cities-'))
  try {
    return run(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
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
  const compact = CompactCityIndex.fromBytes(compileCompactCities(data, DATASET), { dataset: DATASET })
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
  const compact = CompactCityIndex.fromBytes(compiled(), { dataset: DATASET })
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

test('the whole data set, read from the file as a worker does: every field of every city is identical; a city is one object', () => inDir(dir => {
  const index = cityIndex()
  const path = join(dir, 'cities.bin')
  writeCompactCityFile(path, compiled(), DATASET)
  // What a worker holds: the sections lookups need, read at open; a city's details, read from the file when its object is made.
  const compact = readCompactCityFile(path, DATASET)
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
}))

test('an index keeps reading the file it opened when a new one is renamed over it', () => inDir(dir => {
  const path = join(dir, 'cities.bin')
  writeCompactCityFile(path, compiled(), DATASET)
  const compact = readCompactCityFile(path, DATASET)
  const other = [city(1, 'Elsewhere', 'FR', 1), city(2, 'Nowhere', 'DE', 2)]
  writeCompactCityFile(path, compileCompactCities(other, DATASET), DATASET)
  // Cities not made yet: their details come from the file as it was opened (its inode), not the new one.
  for (const name of ['paris', 'tokyo', 'são paulo']) assert.deepEqual(fields(compact.resolve(name)), fields(cityIndex().resolve(name)), name)
  assert.equal(readCompactCityFile(path, DATASET).resolve('elsewhere')?.id, 1)
}))

test('a corrupt, truncated or stale file is refused with a clear error', () => {
  const good = compiled()
  const flipped = new Uint8Array(good)
  flipped[flipped.length - 100]! ^= 1
  assert.throws(() => CompactCityIndex.fromBytes(flipped, { dataset: DATASET }), (err: unknown) => err instanceof CityFileError && /checksum/.test(err.message))
  const truncated = new Uint8Array(good.subarray(0, good.length - 1000))
  assert.throws(() => CompactCityIndex.fromBytes(truncated, { dataset: DATASET }), (err: unknown) => err instanceof CityFileError && /truncated/.test(err.message))
  assert.throws(() => CompactCityIndex.fromBytes(good, { dataset: '0.0.0' }), (err: unknown) => err instanceof CityFileError && /stale/.test(err.message))
  assert.throws(() => CompactCityIndex.fromBytes(new Uint8Array(16), { dataset: DATASET }), (err: unknown) => err instanceof CityFileError && /magic/.test(err.message))

  inDir(dir => {
    const path = join(dir, 'cities.bin')
    assert.equal(headerProblem(path, DATASET), 'missing')
    assert.throws(() => readCompactCityFile(path, DATASET), { code: 'ENOENT' })
    writeFileSync(path, good)
    assert.equal(headerProblem(path, DATASET), undefined)
    assert.equal(readCompactCityFile(path, DATASET).size, cities().length)
    assert.match(headerProblem(path, '0.0.0') ?? '', /stale/)
    assert.throws(() => readCompactCityFile(path, '0.0.0'), /stale/)
    writeFileSync(path, truncated)
    assert.match(headerProblem(path, DATASET) ?? '', /truncated/)
    assert.throws(() => readCompactCityFile(path, DATASET), (err: unknown) => err instanceof CityFileError && /truncated/.test(err.message))
    // The reader checks the checksum over both parts: the sections it keeps, and the details it only streams.
    const { places } = sectionPlaces(readHeader(good, path, DATASET), good.length, path)
    for (const at of [places.records[0] + 10, places.details[0] + 10, good.length - 100]) {
      const corrupt = new Uint8Array(good)
      corrupt[at]! ^= 1
      writeFileSync(path, corrupt)
      assert.equal(headerProblem(path, DATASET), undefined, 'the header alone cannot tell')
      assert.throws(() => readCompactCityFile(path, DATASET), (err: unknown) => err instanceof CityFileError && /checksum/.test(err.message), `byte ${at}`)
    }
  })
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

/** A copy of `good` changed by `change` (over views of its sections), with the checksum recomputed:
 * what only the invariant checks can tell from a valid file. */
function resealed (good: Uint8Array, change: (s: Sections) => void): Uint8Array {
  const copy = new Uint8Array(good)
  const header = readHeader(copy, '(test)', DATASET)
  const { places, first } = sectionPlaces(header, copy.length, '(test)')
  const views = {} as Record<SectionName, unknown>
  for (const name of Object.keys(SECTIONS) as SectionName[]) views[name] = new SECTIONS[name](copy.buffer, places[name][0], places[name][1])
  change(views as Sections)
  const json = new TextEncoder().encode(JSON.stringify({ ...header, checksum: payloadChecksum(copy.subarray(first)) }))
  assert.ok(PREAMBLE_BYTES + json.length <= first)
  new DataView(copy.buffer).setUint32(4, json.length, true)
  copy.fill(0x20, PREAMBLE_BYTES, first)
  copy.set(json, PREAMBLE_BYTES)
  return copy
}

/** The first record's first city (3 bytes after its name length, name and count varints; short names here). */
const firstCityAt = (records: Uint8Array): number => 1 + records[0]! + 1

const broken: Array<[string, (s: Sections) => void, RegExp]> = [
  ['ids out of order', s => { [s.ids[0], s.ids[1]] = [s.ids[1]!, s.ids[0]!] }, /ids not strictly ascending/],
  ['a country past the list', s => { s.country[0] = 255 }, /country out of range/],
  ['a block of details that starts in the wrong place', s => { s.detailBlock[1]! += 1 }, /details/],
  ['a record naming a city past the end', s => { s.records.fill(0xff, firstCityAt(s.records), firstCityAt(s.records) + 3) }, /records/],
  ['a table slot inside a record', s => { const k = s.table.findIndex(v => v !== 0); s.table[k]! += 1 }, /table/],
  ['a record in no slot', s => { s.table[s.table.findIndex(v => v !== 0)] = 0 }, /table/]
]

test('the invariant verifier passes the compiler\'s output and names each broken invariant, checksum or not', () => {
  verifyCompactCities(compiled(), { dataset: DATASET })
  for (const [what, change, reason] of broken) {
    const bad = resealed(compiled(), change)
    assert.throws(() => verifyCompactCities(bad, { dataset: DATASET }), (err: unknown) => err instanceof CityFileError && reason.test(err.message), what)
  }
  // The trust boundary (compact-city-verify.ts): an open checks the header, the places and the
  // checksum only, so a file with a matching checksum but a broken invariant opens; only our
  // writer puts files in place, and it refuses one (next test).
  assert.doesNotThrow(() => CompactCityIndex.fromBytes(resealed(compiled(), broken[0]![1]), { dataset: DATASET }))
  // Corruption is still refused by every check: the verifier's includes the open's.
  const flipped = new Uint8Array(compiled())
  flipped[flipped.length - 100]! ^= 1
  assert.throws(() => verifyCompactCities(flipped, { dataset: DATASET }), /checksum/)
})

test('the writer refuses a file with a broken invariant and leaves the one in place untouched', () => inDir(dir => {
  const path = join(dir, 'cities.bin')
  writeCompactCityFile(path, compiled(), DATASET)
  assert.equal(headerProblem(path, DATASET), undefined)
  for (const [what, change, reason] of broken) {
    assert.throws(() => writeCompactCityFile(path, resealed(compiled(), change), DATASET), reason, what)
  }
  assert.throws(() => writeCompactCityFile(path, compiled(), '0.0.0'), /stale/)
  assert.deepEqual(new Uint8Array(readFileSync(path)), compiled())
  assert.deepEqual(readdirSync(dir), ['cities.bin'], 'no partial file left behind')
  assert.ok(existsSync(path))
}))
