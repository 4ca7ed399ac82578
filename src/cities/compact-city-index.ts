// The city index as typed arrays of one compact file (compact-city-format.ts): a worker starts
// with no per-city objects (≈4 MB instead of ≈130 MB, milliseconds instead of a second), and a
// lookup hashes the query and compares its code units against the stored UTF-8 bytes, allocating
// nothing. A City object is made the first time a city is asked for, from its row of details
// (read then, from the file: compact-city-reader.ts), and kept, so repeated hits return the same
// object, with its key computed once; memory grows with the working set only. Same answers as
// CityIndex (test/cities/compact-index.test.ts).
import type { City } from './city.js'
import type { CityResolver } from './city-index.js'
import {
  DETAIL_BLOCK, DETAIL_BLOCK_MAX_BYTES, DETAIL_FIXED_BYTES, nameHash, sectionViews, type COLD_SECTION, type Sections
} from './compact-city-format.js'

/** Copies `length` bytes of the details section, from `position`, to the start of `into`. */
export type DetailReader = (into: Uint8Array, position: number, length: number) => void

/** What the index keeps in memory: every section but the details. */
export type KeptSections = Omit<Sections, typeof COLD_SECTION>

export interface CompactCityParts {
  sections: KeptSections
  countries: readonly string[]
  /** The details section's length in bytes: where its last block ends. */
  detailBytes: number
  readDetails: DetailReader
}

const FIXED_POINT = 1e5
/** Names whose city is kept by name, at most; then the cache starts afresh (bounded, and hot names come back at once). */
const NAME_CACHE_SIZE = 4096

export class CompactCityIndex implements CityResolver {
  readonly #s: KeptSections
  readonly #countries: readonly string[]
  readonly #detailBytes: number
  readonly #readDetails: DetailReader
  /** One block of detail rows, as last read: reused, since a City is made from it at once. */
  readonly #block = new Uint8Array(DETAIL_BLOCK_MAX_BYTES)
  readonly #rows = new DataView(this.#block.buffer)
  readonly #countryIndex: ReadonlyMap<string, number>
  readonly #mask: number
  readonly #made = new Map<number, City>()
  // The hit path's lookup: one Map.get by name, as CityIndex does; the hash table and the byte
  // comparison (~40 ns more per lookup, measured) run once per name, not once per request.
  readonly #byName = new Map<string, City>()
  readonly #decoder = new TextDecoder('utf-8', { fatal: true })
  /** Where the last #varint ended. */
  #next = 0

  /** The header, section places and checksum are the opener's to check (compact-city-reader.ts,
   * fromBytes); the invariants lookups rely on were verified when the file was written
   * (compact-city-verify.ts, which says where the trust boundary lies). */
  constructor ({ sections, countries, detailBytes, readDetails }: CompactCityParts) {
    this.#s = sections
    this.#countries = countries
    this.#countryIndex = new Map(countries.map((code, i) => [code, i]))
    this.#mask = sections.table.length - 1
    this.#detailBytes = detailBytes
    this.#readDetails = readDetails
  }

  /** An index over a whole file in memory (views, not copies): tests and tools. Throws CityFileError
   * when the header, the section places or the checksum are wrong. */
  static fromBytes (bytes: Uint8Array, { path = '(bytes)', dataset }: { path?: string, dataset: string }): CompactCityIndex {
    const { header, sections } = sectionViews(bytes, path, dataset)
    const details = sections.details
    return new CompactCityIndex({
      sections,
      countries: header.countries,
      detailBytes: details.length,
      readDetails: (into, position, length) => { into.set(details.subarray(position, position + length)) }
    })
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
   * was written); where it ends goes to #next, so the lookup allocates nothing. */
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
    // The city's block of rows in one read; the rows before i in the block are skipped by their name lengths.
    const b = Math.floor(i / DETAIL_BLOCK)
    const start = s.detailBlock[b]!
    this.#readDetails(this.#block, start, (s.detailBlock[b + 1] ?? this.#detailBytes) - start)
    const block = this.#block
    let p = 0
    for (let k = i - (i % DETAIL_BLOCK); k < i; k++) p += DETAIL_FIXED_BYTES + block[p + DETAIL_FIXED_BYTES - 1]!
    const name = p + DETAIL_FIXED_BYTES
    const city: City = {
      id,
      name: this.#decoder.decode(block.subarray(name, name + block[name - 1]!)),
      country: this.#countries[s.country[i]!]!,
      population: this.#rows.getUint32(p, true),
      lat: this.#rows.getInt32(p + 4, true) / FIXED_POINT,
      lon: this.#rows.getInt32(p + 8, true) / FIXED_POINT,
      key: String(id)
    }
    this.#made.set(i, city)
    return city
  }
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
