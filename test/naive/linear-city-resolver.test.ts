import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CityIndex } from '../../src/cities/city-index.js'
import type { DatasetCity } from '../../src/cities/dataset.js'
import { canonicalName } from '../../src/cities/normalize.js'
import { LinearCityResolver } from '../../src/naive/linear-city-resolver.js'
import { cities, cityIndex } from '../helpers/fixtures.js'

const city = (id: number, name: string, country: string, population: number, altName = '') =>
  ({ id, name, altName, country, population, lat: 0, lon: 0, key: String(id) })

test('most populous wins, ties go to the lowest id, the country filters, the ASCII name and "X City" match', () => {
  const data = [
    city(5, 'Springfield', 'US', 150_000), city(3, 'Springfield', 'US', 150_000), city(9, 'Springfield', 'AU', 20_000),
    city(7, 'São Paulo', 'BR', 10_000_000, 'Sao Paulo'), city(8, ' Saint  LOUIS ', 'US', 300_000),
    city(10, 'New York City', 'US', 8_000_000), city(11, 'Mexico City', 'MX', 9_000_000), city(12, 'Mexico', 'US', 2_000),
    city(13, 'Quezon City', 'PH', 2_000_000), city(14, 'Quezon City', 'US', 100)
  ]
  const linear = new LinearCityResolver(data)
  const index = new CityIndex(data)
  const queries: Array<[string, string?]> = [
    ['springfield'], ['springfield', 'US'], ['springfield', 'AU'], ['springfield', 'FR'], ['são paulo'], ['sao paulo'], ['saint louis'], ['lyon'],
    ['new york'], ['new york', 'US'], ['new york', 'GB'], ['new york city'], ['mexico'], ['mexico', 'MX'], ['mexico city'], ['quezon'], ['quezon', 'US']
  ]
  for (const [name, country] of queries) assert.equal(linear.resolve(name, country), index.resolve(name, country), `${name} ${country ?? ''}`)
  assert.equal(linear.resolve('springfield')?.id, 3)
  assert.equal(linear.resolve('new york')?.id, 10)
  assert.equal(linear.resolve('mexico', 'MX'), undefined, 'a city named "Mexico" hides the alias, as in CityIndex')
})

// A seeded generator: the sample is the same on every run, so a failure can be replayed.
function mulberry32 (seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Query = [name: string, country?: string]

/** Random names (and their ASCII spellings), the most ambiguous names with and without ?country, unknown names. */
function sample (data: readonly DatasetCity[], size: number): Query[] {
  const random = mulberry32(6)
  const pick = (): DatasetCity => data[Math.floor(random() * data.length)]!
  const queries: Query[] = []
  const holders = new Map<string, DatasetCity[]>()
  for (const c of data) {
    const name = canonicalName(c.name)
    const list = holders.get(name)
    if (list === undefined) holders.set(name, [c])
    else list.push(c)
  }
  const ambiguous = [...holders.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, 150)
  for (const [name, list] of ambiguous) {
    queries.push([name], [name, list[Math.floor(random() * list.length)]!.country], [name, list[list.length - 1]!.country], [name, 'ZZ'])
  }
  while (queries.length < size - 100) {
    const c = pick()
    queries.push([canonicalName(c.name)])
    if (c.altName !== '') queries.push([canonicalName(c.altName), random() < 0.5 ? c.country : undefined])
  }
  for (let i = 0; i < 100; i++) queries.push([`nowhere ${i}`, i % 2 === 0 ? undefined : 'FR'])
  return queries
}

/**
 * A part of the real data set, deterministic: every holder of the most ambiguous names, every
 * "X City" and every city named X, and random others. Both resolvers get the same part, so the
 * comparison is exact while 2,000 full scans stay within seconds.
 */
function part (data: readonly DatasetCity[], size: number): DatasetCity[] {
  const random = mulberry32(1)
  const chosen = new Set<DatasetCity>()
  const byName = new Map<string, DatasetCity[]>()
  for (const c of data) {
    const name = canonicalName(c.name)
    const list = byName.get(name)
    if (list === undefined) byName.set(name, [c])
    else list.push(c)
  }
  for (const [, list] of [...byName.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, 150)) for (const c of list) chosen.add(c)
  for (const c of data) {
    const alias = /^(.+) City$/.exec(c.name)
    if (alias === null) continue
    chosen.add(c)
    for (const same of byName.get(canonicalName(alias[1]!)) ?? []) chosen.add(same)
  }
  for (const c of data) if (c.altName !== '') chosen.add(c)
  while (chosen.size < size) chosen.add(data[Math.floor(random() * data.length)]!)
  return [...chosen]
}

test('the real data set: the same city as CityIndex for 2,000+ names, ambiguous ones and ?country included', () => {
  const data = part(cities(), 4_000)
  const index = new CityIndex(data)
  const queries = sample(data, 2_100)
  for (const c of data) {
    const alias = /^(.+) City$/.exec(c.name)
    if (alias !== null) queries.push([canonicalName(alias[1]!)], [canonicalName(alias[1]!), c.country])
  }
  assert.ok(queries.length >= 2_000)
  // Memoized canonicalization: the same function, called once per name instead of on every scan.
  const memo = new Map<string, string>()
  const canonicalize = (name: string): string => {
    let canonical = memo.get(name)
    if (canonical === undefined) memo.set(name, canonical = canonicalName(name))
    return canonical
  }
  const linear = new LinearCityResolver(data, { canonicalize })
  const holders = new Map<string, number>()
  for (const c of data) holders.set(canonicalize(c.name), (holders.get(canonicalize(c.name)) ?? 0) + 1)
  let found = 0
  let ambiguous = 0
  for (const [name, country] of queries) {
    const expected = index.resolve(name, country)
    assert.equal(linear.resolve(name, country), expected, `${name} ${country ?? ''}`)
    if (expected !== undefined) found++
    if (expected !== undefined && (holders.get(name) ?? 0) > 1) ambiguous++
  }
  assert.ok(found > 1_500, `most queries name a real city (${found})`)
  assert.ok(ambiguous > 100, `many names are shared by several cities (${ambiguous})`)
})

test('the whole data set, canonicalizing every candidate per lookup as the service does: same answers', () => {
  const linear = new LinearCityResolver(cities())
  const index = cityIndex()
  const queries: Query[] = [
    ['london'],
    ['paris'],
    ['paris', 'US'],
    ['springfield'],
    ['springfield', 'US'],
    ['san jose'],
    ['são paulo'],
    ['sao paulo'],
    ['münchen'],
    ['new york'],
    ['new york', 'US'],
    ['mexico'],
    ['nowhere'],
    ['london', 'ZZ'],
    ...sample(cities(), 2_000).slice(596, 620)
  ]
  for (const [name, country] of queries) assert.equal(linear.resolve(name, country), index.resolve(name, country), `${name} ${country ?? ''}`)
})
