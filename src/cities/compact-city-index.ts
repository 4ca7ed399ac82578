// The city index as typed-array views over one compact file (compact-city-format.ts): a worker
// starts with no per-city objects (≈7 MB instead of ≈130 MB, milliseconds instead of a second),
// and a lookup hashes the query and compares its code units against the stored UTF-8 bytes,
// allocating nothing. A City object is made the first time a city is asked for and kept, so
// repeated hits return the same object, with its key computed once; memory grows with the
// working set only. Same answers as CityIndex (test/cities/compact-index.test.ts).
import type { City } from './city.js'
import type { CityResolver } from './city-index.js'
import {
  CityFileError, NAME_BLOCK, SECTIONS, nameHash, payloadChecksum, readHeader, type CompactCityHeader, type SectionName
} from './compact-city-format.js'

const FIXED_POINT = 1e5
/** Names whose city is kept by name, at most; then the cache starts afresh (bounded, and hot names come back at once). */
const NAME_CACHE_SIZE = 4096
type Sections = { [K in SectionName]: InstanceType<(typeof SECTIONS)[K]> }

export class CompactCityIndex implements CityResolver {
  readonly #s: Sections
  readonly #countries: readonly string[]
  readonly #countryIndex: ReadonlyMap<string, number>
  readonly #mask: number
  readonly #made = new Map<number, City>()
  // The hit path's lookup: one Map.get by name, as CityIndex does; the hash table and the byte
  // comparison (~40 ns more per lookup, measured) run once per name, not once per request.
  readonly #byName = new Map<string, City>()
  readonly #decoder = new TextDecoder('utf-8', { fatal: true })
  /** Where the last #varint ended. */
  #next = 0

  /** Views over `bytes` (not copied). Throws CityFileError when the bytes are not a valid file for `dataset`. */
  constructor (bytes: Uint8Array, { path = '(bytes)', dataset }: { path?: string, dataset: string }) {
    const header = readHeader(bytes, path, dataset)
    this.#s = sectionViews(bytes, header, path)
    this.#countries = header.countries
    this.#countryIndex = new Map(header.countries.map((code, i) => [code, i]))
    this.#mask = this.#s.table.length - 1
  }

  get size (): number {
    return this.#s.ids.length
  }

  resolve (name: string, country?: string): City | undefined {
    if (country === undefined) {
      const known = this.#byName.get(name)
      if (known !== undefined) return known
    }
    const at = this.#entry(name)
    if (at < 0) return undefined
    const records = this.#s.records
    // The record's city count, then its cities, 3 bytes each.
    const count = this.#varint(at)
    let q = this.#next
    if (country === undefined) {
      const city = this.#city(records[q]! | (records[q + 1]! << 8) | (records[q + 2]! << 16))
      if (this.#byName.size >= NAME_CACHE_SIZE) this.#byName.clear()
      this.#byName.set(name, city)
      return city
    }
    const c = this.#countryIndex.get(country)
    if (c === undefined) return undefined
    for (let end = q + 3 * count; q < end; q += 3) {
      const i = records[q]! | (records[q + 1]! << 8) | (records[q + 2]! << 16)
      if (this.#s.country[i] === c) return this.#city(i)
    }
    return undefined
  }

  byId (id: number): City | undefined {
    const ids = this.#s.ids
    let lo = 0
    let hi = ids.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const at = ids[mid]!
      if (at === id) return this.#city(mid)
      if (at < id) lo = mid + 1
      else hi = mid - 1
    }
    return undefined
  }

  /** Where the city list of a canonical name's record starts, or -1. */
  #entry (name: string): number {
    const table = this.#s.table
    const records = this.#s.records
    let slot = nameHash(name) & this.#mask
    for (;;) {
      const v = table[slot]!
      if (v === 0) return -1
      const length = this.#varint(v - 1)
      const p = this.#next
      if (nameIs(records, p, p + length, name)) return p + length
      slot = (slot + 1) & this.#mask
    }
  }

  /** The LEB128 varint at p of the records, unchecked (the file's invariants were verified when it
   * was opened); where it ends goes to #next, so the lookup allocates nothing. */
  #varint (p: number): number {
    const records = this.#s.records
    let value = 0
    let shift = 0
    let b: number
    do {
      b = records[p++]!
      value |= (b & 0x7f) << shift
      shift += 7
    } while (b & 0x80)
    this.#next = p
    return value
  }

  /** City i as an object: made once, on first use. */
  #city (i: number): City {
    return this.#made.get(i) ?? this.#make(i)
  }

  #make (i: number): City {
    const s = this.#s
    const id = s.ids[i]!
    // The block's first name starts at nameBlock; the ones before i in the block are skipped by length.
    let start = s.nameBlock[Math.floor(i / NAME_BLOCK)]!
    for (let k = i - (i % NAME_BLOCK); k < i; k++) start += s.nameLength[k]!
    const city: City = {
      id,
      name: this.#decoder.decode(s.display.subarray(start, start + s.nameLength[i]!)),
      country: this.#countries[s.country[i]!]!,
      population: s.population[i]!,
      lat: s.lat[i]! / FIXED_POINT,
      lon: s.lon[i]! / FIXED_POINT,
      key: String(id)
    }
    this.#made.set(i, city)
    return city
  }
}

/** Typed-array views of every section, after checking bounds, checksum and the invariants lookups rely on. */
function sectionViews (bytes: Uint8Array, header: CompactCityHeader, path: string): Sections {
  const fail = (reason: string): never => { throw new CityFileError(path, reason) }
  if (bytes.byteOffset % 4 !== 0) fail('buffer not 4-byte aligned')
  const n = header.cities
  const expected: Record<SectionName, number | undefined> = {
    ids: n,
    population: n,
    lat: n,
    lon: n,
    country: n,
    nameLength: n,
    nameBlock: Math.ceil(n / NAME_BLOCK),
    display: undefined,
    records: undefined,
    table: undefined
  }
  const views = {} as Record<SectionName, unknown>
  let first = bytes.length
  for (const name of Object.keys(SECTIONS) as SectionName[]) {
    const place = header.sections[name]
    if (!Array.isArray(place) || place.length !== 2 || !place.every(v => Number.isInteger(v) && v >= 0)) return fail(`section ${name}: bad place`)
    const [offset, length] = place as [number, number]
    const Type = SECTIONS[name]
    if (offset % 4 !== 0 || offset + length * Type.BYTES_PER_ELEMENT > bytes.length) fail(`section ${name} out of bounds (truncated?)`)
    if (expected[name] !== undefined && length !== expected[name]) fail(`section ${name}: ${length} elements, expected ${expected[name]}`)
    first = Math.min(first, offset)
    views[name] = new Type(bytes.buffer as ArrayBuffer, bytes.byteOffset + offset, length)
  }
  if (payloadChecksum(bytes.subarray(first)) !== header.checksum) fail('checksum mismatch (corrupt)')
  const s = views as Sections
  // Invariants every lookup relies on, checked once, so that no lookup reads past a section.
  if (!namesAdd(s.nameLength, s.nameBlock, s.display.length)) fail('display names: lengths and blocks disagree')
  if (!strictlyAscending(s.ids)) fail('ids not strictly ascending')
  if (!allBelow(s.country, header.countries.length)) fail('country out of range')
  const capacity = s.table.length
  if (capacity === 0 || (capacity & (capacity - 1)) !== 0 || capacity < header.entries * 2) fail('table capacity not a power of two with load ≤ 0.5')
  const starts = recordStarts(s.records, n, header.entries)
  if (starts === undefined) fail('records: malformed, or a city index out of range')
  if (!tableHits(s.table, starts!)) fail('table: a slot that is not a record, or a record in no slot')
  return s
}

/** LEB128 at p: [value, next position], or undefined past `end` or beyond 28 bits. */
function varint (bytes: Uint8Array, p: number, end: number): [number, number] | undefined {
  let value = 0
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= end) return undefined
    const b = bytes[p++]!
    value |= (b & 0x7f) << shift
    if ((b & 0x80) === 0) return [value, p]
  }
  return undefined
}

/** Bit per byte of `records`, set where a record starts: exactly `entries` well-formed records, nothing after. */
function recordStarts (records: Uint8Array, cities: number, entries: number): Uint8Array | undefined {
  const starts = new Uint8Array((records.length >> 3) + 1)
  let p = 0
  for (let e = 0; e < entries; e++) {
    starts[p >> 3]! |= 1 << (p & 7)
    const length = varint(records, p, records.length)
    if (length === undefined || length[1] + length[0] > records.length) return undefined
    const count = varint(records, length[1] + length[0], records.length)
    if (count === undefined || count[0] === 0 || count[1] + 3 * count[0] > records.length) return undefined
    p = count[1]
    for (let k = 0; k < count[0]; k++, p += 3) if ((records[p]! | (records[p + 1]! << 8) | (records[p + 2]! << 16)) >= cities) return undefined
  }
  return p === records.length ? starts : undefined
}

/** Every occupied slot names a record start, and every record is in a slot. */
function tableHits (table: Uint32Array, starts: Uint8Array): boolean {
  let hits = 0
  let records = 0
  for (let i = 0; i < starts.length; i++) for (let b = starts[i]!; b !== 0; b &= b - 1) records++
  for (let k = 0; k < table.length; k++) {
    const v = table[k]!
    if (v === 0) continue
    const p = v - 1
    if (p >= starts.length * 8 || (starts[p >> 3]! & (1 << (p & 7))) === 0) return false
    hits++
  }
  return hits === records
}

/** The name lengths add up to the display section, and every block starts where its predecessors end. */
function namesAdd (lengths: Uint8Array, blocks: Uint32Array, total: number): boolean {
  let start = 0
  for (let i = 0; i < lengths.length; i++) {
    if (i % NAME_BLOCK === 0 && blocks[i / NAME_BLOCK] !== start) return false
    start += lengths[i]!
  }
  return start === total
}

function strictlyAscending (a: Int32Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i]! <= a[i - 1]!) return false
  return true
}

function allBelow (a: Uint8Array, limit: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i]! >= limit) return false
  return true
}

/** Whether records[j, end) are the UTF-8 bytes of `name`, encoded on the fly (no allocation). */
function nameIs (bytes: Uint8Array, j: number, end: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i)
    if (c < 0x80) {
      if (j >= end || bytes[j++] !== c) return false
      continue
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      // A surrogate pair is one code point, four bytes; a lone surrogate is in no stored name.
      const low = name.charCodeAt(i + 1)
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return false
      c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00)
      i++
      if (end - j < 4 || bytes[j] !== (0xf0 | (c >> 18)) || bytes[j + 1] !== (0x80 | ((c >> 12) & 0x3f)) ||
        bytes[j + 2] !== (0x80 | ((c >> 6) & 0x3f)) || bytes[j + 3] !== (0x80 | (c & 0x3f))) return false
      j += 4
    } else if (c < 0x800) {
      if (end - j < 2 || bytes[j] !== (0xc0 | (c >> 6)) || bytes[j + 1] !== (0x80 | (c & 0x3f))) return false
      j += 2
    } else {
      if (end - j < 3 || bytes[j] !== (0xe0 | (c >> 12)) || bytes[j + 1] !== (0x80 | ((c >> 6) & 0x3f)) || bytes[j + 2] !== (0x80 | (c & 0x3f))) return false
      j += 3
    }
  }
  return j === end
}
