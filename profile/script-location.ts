// A profiled script's URL → its file in this checkout. A profile recorded elsewhere (another
// machine, another clone, a container) names that place's paths, `file:///srv/app/dist/src/…`;
// what is under its dist/ is the same file under this checkout's dist/, so that is where to look.
import { existsSync } from 'node:fs'
import { isAbsolute, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface ScriptLocation {
  /** The file that exists, or null. */
  path: string | null
  /** Where it was looked for, in order (for the message when none exists). */
  tried: string[]
}

const DIST = `${sep}dist${sep}`

/** Only `file:` URLs (and plain absolute paths) have files; `node:…`, `wasm://…` and '' do not. */
export function locateScript (url: string, root: string, exists: (path: string) => boolean = existsSync): ScriptLocation {
  let recorded: string
  if (url.startsWith('file://')) {
    try {
      recorded = fileURLToPath(url)
    } catch {
      return { path: null, tried: [] }
    }
  } else if (isAbsolute(url)) {
    recorded = url
  } else {
    return { path: null, tried: [] }
  }
  const tried: string[] = []
  // This checkout's build first: the sources and maps beside it are the ones this checkout has.
  const dist = recorded.lastIndexOf(DIST)
  if (dist >= 0) tried.push(join(root, 'dist', recorded.slice(dist + DIST.length)))
  if (!tried.includes(recorded)) tried.push(recorded)
  return { path: tried.find((path) => exists(path)) ?? null, tried }
}
