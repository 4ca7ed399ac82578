// Opens the compact city file the way a worker needs it: what every lookup reads (the sections
// before `details`: names, ids, countries; 3.5 MiB) in one read, into memory; the details (the
// rest, 3.0 MiB) streamed once through the checksum with a small buffer and then read per city,
// when its City object is first made, from the file kept open. The file is replaced only by a
// rename (compact-city-writer.ts), so the open descriptor keeps reading the bytes it checked.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { CompactCityIndex, type KeptSections } from './compact-city-index.js'
import {
  COLD_SECTION, CityFileError, PREAMBLE_BYTES, SECTIONS, payloadChecksum, readHeader, sectionPlaces, type CompactCityHeader, type SectionName
} from './compact-city-format.js'

/** The checksum's read size over the details: large enough for few reads, small enough not to count. */
const CHUNK_BYTES = 64 * 1024
/** A header longer than this is no header of ours. */
const MAX_HEADER_BYTES = 1 << 20

// An index that is no longer reachable closes its file: a worker keeps one for its life, tests open many.
const openFiles = new FinalizationRegistry<number>(fd => closeSync(fd))

/** The header of the file open as `fd`, checked (magic, format, data set, counts). Throws CityFileError naming what is wrong. */
export function readHeaderAt (fd: number, path: string, dataset: string): CompactCityHeader {
  const preamble = new Uint8Array(PREAMBLE_BYTES)
  const got = readSync(fd, preamble, 0, PREAMBLE_BYTES, 0)
  const length = got === PREAMBLE_BYTES ? new DataView(preamble.buffer).getUint32(4, true) : 0
  // readHeader says why a short or oversized one is wrong (bad magic, or truncated).
  const head = new Uint8Array(PREAMBLE_BYTES + (length > MAX_HEADER_BYTES ? 0 : length))
  const read = readSync(fd, head, 0, head.length, 0)
  return readHeader(head.subarray(0, read), path, dataset)
}

/**
 * The compact index over the file at `path`: header, section places and checksum checked (the
 * invariants were verified when it was written: compact-city-verify.ts). Throws CityFileError
 * when the file is not valid for `dataset`, and fs errors (ENOENT) as they are.
 */
export function readCompactCityFile (path: string, dataset: string): CompactCityIndex {
  const fd = openSync(path, 'r')
  try {
    const header = readHeaderAt(fd, path, dataset)
    const size = fstatSync(fd).size
    const { places, first } = sectionPlaces(header, size, path)
    const [detailsAt, detailBytes] = places[COLD_SECTION]
    const kept = new Uint8Array(detailsAt - first)
    readFully(fd, kept, first, path)
    let checksum = payloadChecksum(kept)
    const chunk = new Uint8Array(CHUNK_BYTES)
    for (let at = detailsAt; at < size; at += CHUNK_BYTES) {
      const bytes = chunk.subarray(0, Math.min(CHUNK_BYTES, size - at))
      readFully(fd, bytes, at, path)
      checksum = payloadChecksum(bytes, checksum)
    }
    if (checksum !== header.checksum) throw new CityFileError(path, 'checksum mismatch (corrupt)')
    const sections = {} as Record<SectionName, unknown>
    for (const name of Object.keys(SECTIONS) as SectionName[]) {
      if (name !== COLD_SECTION) sections[name] = new SECTIONS[name](kept.buffer, places[name][0] - first, places[name][1])
    }
    const index = new CompactCityIndex({
      sections: sections as KeptSections,
      countries: header.countries,
      detailBytes,
      readDetails: (into, position, length) => readFully(fd, into.subarray(0, length), detailsAt + position, path)
    })
    openFiles.register(index, fd)
    return index
  } catch (err) {
    closeSync(fd)
    throw err
  }
}

/** Fills `into` from `position` of the file; a file that ends first is truncated. */
function readFully (fd: number, into: Uint8Array, position: number, path: string): void {
  for (let done = 0; done < into.length;) {
    const got = readSync(fd, into, done, into.length - done, position + done)
    if (got === 0) throw new CityFileError(path, 'truncated')
    done += got
  }
}
