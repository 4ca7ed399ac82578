// Puts a compact city file in place: verified in full first (compact-city-verify.ts: what no open
// checks again), written aside, then renamed over the old one. A reader — another worker, another
// build, an index that keeps the file open to read its cities' details — never sees half a file
// or a file that changes under it: a rename gives the path a new inode, and the old one lives on
// for whoever still has it open.
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { verifyCompactCities } from './compact-city-verify.js'

/** Writes `bytes` to `path` if they are a valid file for `dataset`; throws CityFileError (and leaves `path` as it was) if not. */
export function writeCompactCityFile (path: string, bytes: Uint8Array, dataset: string): void {
  verifyCompactCities(bytes, { path, dataset })
  const partial = `${path}.${process.pid}.partial`
  try {
    writeFileSync(partial, bytes)
    renameSync(partial, path)
  } catch (err) {
    rmSync(partial, { force: true })
    throw err
  }
}
