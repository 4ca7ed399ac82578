// Built JavaScript lines → the TypeScript lines they came from, through the compiler's source
// maps (tsconfig's "sourceMap": true writes dist/**/*.js.map) and Node's own reader,
// module.SourceMap: the profile samples the .js that ran, people read and edit the .ts.
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module'
import { dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface OriginalPosition {
  /** Absolute path of the source file. */
  path: string
  /** 1-based. */
  line: number
  /** 0-based. */
  column: number
}

export interface ScriptSourceMap {
  /** Where the map came from: its file, or `inline` for a data: URL. */
  readonly from: string
  /** The source position of a generated one (1-based line, 0-based column); null when the map has nothing on that line at or before it. */
  position (line: number, column: number): OriginalPosition | null
  /** The source line of a whole generated line: the position of its first token (or of any token on it). */
  line (line: number, text: string): OriginalPosition | null
}

export type SourceMapResult = { ok: true, map: ScriptSourceMap } | { ok: false, problem: string }

const MAPPING_URL = /\/\/[#@] sourceMappingURL=(\S+)\s*$/

/** The map of a built script: named by its sourceMappingURL comment, else `<file>.map` beside it. */
export function loadSourceMap (jsPath: string, jsText: string): SourceMapResult {
  const comment = MAPPING_URL.exec(jsText.slice(-2000))?.[1]
  let payload: SourceMapPayload
  let from: string
  try {
    if (comment?.startsWith('data:') === true) {
      from = 'inline'
      const comma = comment.indexOf(',')
      const body = comment.slice(comma + 1)
      payload = JSON.parse(comment.slice(0, comma).endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body))
    } else {
      from = comment === undefined ? jsPath + '.map' : resolve(dirname(jsPath), decodeURIComponent(comment))
      if (!existsSync(from)) return { ok: false, problem: `no source map (${from} not found)` }
      payload = JSON.parse(readFileSync(from, 'utf8'))
    }
  } catch (err) {
    return { ok: false, problem: `unreadable source map for ${jsPath}: ${(err as Error).message}` }
  }
  let map: SourceMap
  try {
    map = new SourceMap(payload)
  } catch (err) {
    return { ok: false, problem: `invalid source map ${from}: ${(err as Error).message}` }
  }
  const base = from === 'inline' ? dirname(jsPath) : dirname(from)
  const sourceRoot = typeof payload.sourceRoot === 'string' ? payload.sourceRoot : ''
  const sourcePath = (source: string): string => {
    if (source.startsWith('file://')) return fileURLToPath(source)
    if (isAbsolute(source)) return source
    // Node 20 hands back the `sources` entry as written; later versions may already prefix sourceRoot.
    return resolve(base, source.startsWith(sourceRoot) ? source : sourceRoot + source)
  }
  const position = (line: number, column: number): OriginalPosition | null => {
    // findEntry takes 0-based offsets and returns the nearest mapping at or before them, on any
    // line: one from an earlier line is not this line's. When there is none, Node 20 returns {}
    // and newer versions undefined.
    const entry = map.findEntry(line - 1, column) as Partial<SourceMapping> | undefined
    if (entry?.originalSource === undefined || entry.generatedLine !== line - 1 || entry.originalLine === undefined) return null
    return { path: sourcePath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn ?? 0 }
  }
  return {
    ok: true,
    map: {
      from,
      position,
      line: (line, text) => {
        // The first token's mapping names the statement's line; a line whose first token has no
        // mapping of its own (a closing brace) still has one at its end.
        const first = text.search(/\S/)
        return position(line, first < 0 ? 0 : first) ?? position(line, Math.max(0, text.length - 1))
      }
    }
  }
}
