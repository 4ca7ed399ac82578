// Data set → compact city file (the layout: compact-city-format.ts). Run once, at build time or
// by the primary's child process (compile-cities.ts), never in a worker: this is the only code
// that holds the decoded data set. The name index follows CityIndex's rules exactly — the
// canonical name and alt name of every city, "X City" aliases only where no city has the name
// "x" itself, each list most populous first then lowest id — and every value is checked to
// survive the trip (test/cities/compact-index.test.ts holds the two indexes to the same answers).
import type { DatasetCity } from './dataset.js'
import { canonicalName } from './canonical-name.js'
import {
  DETAIL_BLOCK, FORMAT_VERSION, MAGIC, PREAMBLE_BYTES, SECTIONS, nameHash, payloadChecksum,
  type CompactCityHeader, type SectionName
} from './compact-city-format.js'

const CITY_SUFFIX = /^(.+) City$/
const FIXED_POINT = 1e5

/** A string with no lone surrogate: it round-trips through UTF-8 unchanged. */
function wellFormed (s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return false
  }
  return true
}

function fixedPoint (value: number, what: string, id: number): number {
  const q = Math.round(value * FIXED_POINT)
  if (q / FIXED_POINT !== value || q < -(2 ** 31) || q >= 2 ** 31) throw new Error(`city ${id}: ${what} ${value} is not a 1e5 fixed-point value`)
  return q
}

const encoder = new TextEncoder()

function utf8 (s: string, what: string): Uint8Array {
  if (!wellFormed(s)) throw new Error(`${what} ${JSON.stringify(s)} is not well-formed UTF-16`)
  return encoder.encode(s)
}

/** A growable byte buffer: varints, 3-byte city indices, 32-bit little-endian integers, raw bytes. */
class ByteWriter {
  bytes = new Uint8Array(1 << 16)
  length = 0

  #room (n: number): void {
    if (this.length + n <= this.bytes.length) return
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n))
    next.set(this.bytes.subarray(0, this.length))
    this.bytes = next
  }

  varint (value: number): void {
    this.#room(5)
    do {
      const low = value & 0x7f
      value >>>= 7
      this.bytes[this.length++] = value === 0 ? low : low | 0x80
    } while (value !== 0)
  }

  index3 (value: number): void {
    this.#room(3)
    this.bytes[this.length++] = value & 0xff
    this.bytes[this.length++] = (value >>> 8) & 0xff
    this.bytes[this.length++] = value >>> 16
  }

  /** An Int32 or Uint32, little-endian (an Int32 as its two's complement). */
  int32 (value: number): void {
    this.#room(4)
    for (let k = 0; k < 4; k++) this.bytes[this.length++] = (value >>> (8 * k)) & 0xff
  }

  byte (value: number): void {
    this.#room(1)
    this.bytes[this.length++] = value
  }

  raw (bytes: Uint8Array): void {
    this.#room(bytes.length)
    this.bytes.set(bytes, this.length)
    this.length += bytes.length
  }

  get written (): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }
}

/** The name index: canonical name → city indices (into `cities`), as CityIndex builds it. */
function nameLists (cities: readonly DatasetCity[]): Map<string, number[]> {
  const byName = new Map<string, number[]>()
  const aliases = new Map<string, number[]>()
  const add = (map: Map<string, number[]>, name: string, i: number): void => {
    const list = map.get(name)
    if (list === undefined) map.set(name, [i])
    else if (!list.includes(i)) list.push(i)
  }
  for (let i = 0; i < cities.length; i++) {
    const city = cities[i]!
    add(byName, canonicalName(city.name), i)
    if (city.altName) add(byName, canonicalName(city.altName), i)
    const alias = CITY_SUFFIX.exec(city.name)
    if (alias !== null) add(aliases, canonicalName(alias[1]!), i)
  }
  for (const name of byName.keys()) aliases.delete(name)
  for (const [name, list] of aliases) byName.set(name, list)
  for (const list of byName.values()) list.sort((a, b) => cities[b]!.population - cities[a]!.population || cities[a]!.id - cities[b]!.id)
  return byName
}

/** The compact city file for `dataset`, as bytes. Throws if a value would not survive the trip. */
export function compileCompactCities (dataset: readonly DatasetCity[], version: string): Uint8Array {
  // Ascending id order: byId is then a binary search, with no table of its own.
  const cities = [...dataset].sort((a, b) => a.id - b.id)
  const n = cities.length
  const ids = new Int32Array(n)
  const country = new Uint8Array(n)
  const countries: string[] = []
  const countryIndex = new Map<string, number>()
  const detailBlock = new Uint32Array(Math.ceil(n / DETAIL_BLOCK))
  const details = new ByteWriter()
  for (let i = 0; i < n; i++) {
    const city = cities[i]!
    if (!Number.isInteger(city.id) || city.id < -(2 ** 31) || city.id >= 2 ** 31) throw new Error(`city id ${city.id} does not fit an Int32`)
    if (i > 0 && city.id === ids[i - 1]) throw new Error(`city id ${city.id} appears twice`)
    if (city.key !== String(city.id)) throw new Error(`city ${city.id}: key ${city.key} is not its id`)
    if (!Number.isInteger(city.population) || city.population < 0 || city.population >= 2 ** 32) {
      throw new Error(`city ${city.id}: population ${city.population} does not fit a Uint32`)
    }
    ids[i] = city.id
    let c = countryIndex.get(city.country)
    if (c === undefined) {
      c = countries.push(city.country) - 1
      if (c > 0xff) throw new Error('more than 256 countries: the country section needs a wider type')
      countryIndex.set(city.country, c)
    }
    country[i] = c
    // The city's row of details (compact-city-format.ts): read only when its object is made.
    const name = utf8(city.name, 'city name')
    if (name.length > 0xff) throw new Error(`city ${city.id}: a name of ${name.length} bytes needs a wider length type`)
    if (i % DETAIL_BLOCK === 0) detailBlock[i / DETAIL_BLOCK] = details.length
    details.int32(city.population)
    details.int32(fixedPoint(city.lat, 'latitude', city.id))
    details.int32(fixedPoint(city.lon, 'longitude', city.id))
    details.byte(name.length)
    details.raw(name)
  }
  if (n >= 2 ** 24) throw new Error(`${n} cities: a city index needs more than 3 bytes`)

  const lists = nameLists(cities)
  const records = new ByteWriter()
  const starts: Array<[name: string, offset: number]> = []
  for (const [name, list] of lists) {
    starts.push([name, records.length])
    const bytes = utf8(name, 'canonical name')
    records.varint(bytes.length)
    records.raw(bytes)
    records.varint(list.length)
    for (const i of list) records.index3(i)
  }

  let capacity = 1
  while (capacity < starts.length * 2) capacity *= 2
  const table = new Uint32Array(capacity)
  const mask = capacity - 1
  for (const [name, offset] of starts) {
    let slot = nameHash(name) & mask
    while (table[slot] !== 0) slot = (slot + 1) & mask
    table[slot] = offset + 1
  }

  const arrays: Record<SectionName, ArrayBufferView & { length: number }> = {
    ids,
    country,
    detailBlock,
    records: records.written,
    table,
    details: details.written
  }
  return assemble(arrays, { format: FORMAT_VERSION, dataset: version, cities: n, entries: starts.length, countries })
}

const align4 = (n: number): number => (n + 3) & ~3

/** Header + sections, each 4-byte aligned, checksummed. */
function assemble (
  arrays: Record<SectionName, ArrayBufferView & { length: number }>,
  header: Omit<CompactCityHeader, 'checksum' | 'sections'>
): Uint8Array {
  const names = Object.keys(SECTIONS) as SectionName[]
  // The header's length depends on the offsets it holds: reserve a fixed width for each number.
  const sections = Object.fromEntries(names.map(name => [name, [0, arrays[name].length]])) as CompactCityHeader['sections']
  const draft = JSON.stringify({ ...header, checksum: 0xffffffff, sections: Object.fromEntries(names.map(name => [name, [0xffffffff, 0xffffffff]])) })
  let offset = align4(PREAMBLE_BYTES + Buffer.byteLength(draft) + 64)
  const start = offset
  for (const name of names) {
    sections[name][0] = offset
    offset = align4(offset + arrays[name].byteLength)
  }
  const file = new Uint8Array(offset)
  for (const name of names) {
    const view = arrays[name]
    file.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), sections[name][0])
  }
  const checksum = payloadChecksum(file.subarray(start))
  const json = new TextEncoder().encode(JSON.stringify({ ...header, checksum, sections }))
  if (PREAMBLE_BYTES + json.length > start) throw new Error('header overflow')
  file.set(new TextEncoder().encode(MAGIC), 0)
  new DataView(file.buffer).setUint32(4, json.length, true)
  file.set(json, PREAMBLE_BYTES)
  // Spaces after the JSON, up to the first section: JSON.parse ignores trailing whitespace.
  file.fill(0x20, PREAMBLE_BYTES + json.length, start)
  return file
}
