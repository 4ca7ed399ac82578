// Whose code a frame runs: ours, a dependency's, Node's, native code (V8 builtins such as
// JSON.stringify, Node's C++ bindings such as the writev syscall), or V8's bookkeeping entries
// (idle, GC, program). A profile read without this mixes "our handler is slow" with "Fastify is
// slow" with "GC is busy"; and a native frame is real work, not bookkeeping, so it is never hidden.
import { fileURLToPath } from 'node:url'
import { relative, sep } from 'node:path'

export type CodeOrigin = 'own' | 'dependency' | 'node' | 'native' | 'v8'

export const CODE_ORIGINS: readonly CodeOrigin[] = ['own', 'dependency', 'node', 'native', 'v8']

/** `name` tells V8's pseudo-frames, "(idle)", "(garbage collector)", "(program)", "(root)", from native functions. */
export function codeOrigin (url: string, name = ''): CodeOrigin {
  if (url === '') return name.startsWith('(') ? 'v8' : 'native'
  // WebAssembly in a Node service comes from packages (undici's llhttp parser, for one).
  if (url.startsWith('wasm://')) return 'dependency'
  if (url.startsWith('node:') || !url.includes('/')) return 'node'
  if (url.includes('/node_modules/')) return 'dependency'
  return 'own'
}

/**
 * A short location for a table: `dist/src/routes/weather.js:61` under `root`,
 * `fastify/lib/reply.js:120` for a dependency, `node:internal/…` as is. `line` is 0-based.
 */
export function shortLocation (url: string, line: number, root: string): string {
  if (url === '') return ''
  let path = url
  if (url.startsWith('file://')) {
    try {
      path = fileURLToPath(url)
    } catch {
      path = url
    }
  }
  const modules = path.lastIndexOf(`${sep}node_modules${sep}`)
  if (modules >= 0) path = path.slice(modules + 14)
  else if (path.startsWith(root + sep)) path = relative(root, path)
  return line >= 0 ? `${path}:${line + 1}` : path
}
