// Every invariant a lookup of the compact index relies on (no read past a section, no endless
// probe), checked where the file is written (compact-city-writer.ts), never at open. Trust
// boundary: the file is ours — written by our compiler, verified here, then put in place by a
// rename — so an open checks only the header, the section places and the CRC-32 (compact-city-
// format.ts); the checksum guards against corruption (a bad disk, a partial copy), not against a
// crafted file. Checking these at every open cost each worker ~5 MB of RSS: the loops below run
// over 100k+ elements, tier up in V8's optimizing compiler, and page in its code.
import {
  CityFileError, DETAIL_BLOCK, DETAIL_FIXED_BYTES, sectionViews, type CompactCityHeader, type Sections
} from './compact-city-format.js'

/** Throws CityFileError naming the first broken invariant (or a bad header, place or checksum) of a whole file in memory. */
export function verifyCompactCities (bytes: Uint8Array, { path = '(bytes)', dataset }: { path?: string, dataset: string }): void {
  const { header, sections } = sectionViews(bytes, path, dataset)
  const problem = invariantProblem(header, sections)
  if (problem !== undefined) throw new CityFileError(path, problem)
}

/** The first broken invariant of sections whose places are already checked, or undefined. */
export function invariantProblem (header: CompactCityHeader, s: Sections): string | undefined {
  if (!rowsAdd(s.details, s.detailBlock, header.cities)) return 'details: rows and blocks disagree'
  if (!strictlyAscending(s.ids)) return 'ids not strictly ascending'
  if (!allBelow(s.country, header.countries.length)) return 'country out of range'
  const starts = recordStarts(s.records, header.cities, header.entries)
  if (starts === undefined) return 'records: malformed, or a city index out of range'
  if (!tableHits(s.table, starts)) return 'table: a slot that is not a record, or a record in no slot'
  return undefined
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

/** Every occupied slot names a record start, and every record is in a slot (so an empty slot ends every probe). */
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

/** The detail rows add up to the section, every block starts where its predecessors end (so a
 * block, 16 rows of at most 13 + 255 bytes, fits the reader's buffer), and every display name is
 * UTF-8 (the reader's decoder is fatal). */
function rowsAdd (details: Uint8Array, blocks: Uint32Array, cities: number): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let p = 0
  for (let i = 0; i < cities; i++) {
    if (i % DETAIL_BLOCK === 0 && blocks[i / DETAIL_BLOCK] !== p) return false
    if (p + DETAIL_FIXED_BYTES > details.length) return false
    const end = p + DETAIL_FIXED_BYTES + details[p + DETAIL_FIXED_BYTES - 1]!
    if (end > details.length) return false
    try {
      decoder.decode(details.subarray(p + DETAIL_FIXED_BYTES, end))
    } catch {
      return false
    }
    p = end
  }
  return p === details.length
}

function strictlyAscending (a: Int32Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i]! <= a[i - 1]!) return false
  return true
}

function allBelow (a: Uint8Array, limit: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i]! >= limit) return false
  return true
}
