// A function's call frame (built script URL, 0-based line and column of its start) → its
// TypeScript file:line, through the compiler's source maps (source-map.ts, as the line view maps
// lines). For tables that name functions — the allocation sites of the heap profile — in the file
// people edit. Never throws: what cannot be mapped keeps its built location.
import { readFileSync } from 'node:fs'
import { isAbsolute, relative, sep } from 'node:path'
import { locateScript } from './script-location.js'
import { loadSourceMap, type SourceMapResult } from './source-map.js'

export interface TypeScriptLocatorOptions {
  /** The checkout whose dist/ the frames map onto; paths print relative to it. @default process.cwd() */
  root?: string
  /** The frames are of the scripts on disk (a live run): no check that a built line still holds the function. @default false */
  sameBuild?: boolean
}

/** `src/routes/weather.ts:42`, or null when the frame has no mapped TypeScript source. */
export type TypeScriptLocator = (url: string, line: number, column: number, functionName: string) => string | null

interface Script {
  lines: string[]
  map: SourceMapResult
}

export function createTypeScriptLocator ({ root = process.cwd(), sameBuild = false }: TypeScriptLocatorOptions = {}): TypeScriptLocator {
  const scripts = new Map<string, Script | null>()
  const show = (path: string): string => {
    const rel = relative(root, path)
    return rel !== '' && !rel.startsWith('..' + sep) && !isAbsolute(rel) ? rel : path
  }
  const script = (url: string): Script | null => {
    if (!scripts.has(url)) {
      const path = locateScript(url, root).path
      let loaded: Script | null = null
      if (path !== null) {
        try {
          const text = readFileSync(path, 'utf8')
          loaded = { lines: text.split(/\r?\n/), map: loadSourceMap(path, text) }
        } catch {
          loaded = null
        }
      }
      scripts.set(url, loaded)
    }
    return scripts.get(url)!
  }
  return (url, line, column, functionName) => {
    if (line < 0 || !url.startsWith('file:')) return null
    const found = script(url)
    if (found === null || !found.map.ok) return null
    const text = found.lines[line] ?? ''
    // A recorded profile's script may since have been rebuilt: a named function's first line
    // names it ("get body" → body), else this line is some other code and mapping it would lie.
    const word = functionName.split(' ').pop() ?? ''
    if (!sameBuild && /^[\w$]+$/.test(word) && !text.includes(word)) return null
    const position = found.map.map.position(line + 1, Math.max(0, column)) ?? found.map.map.line(line + 1, text)
    return position === null ? null : `${show(position.path)}:${position.line}`
  }
}
