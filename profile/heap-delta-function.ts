// `--heap-delta NAME` → the module that declares it and how to reach it from inside that module
// (what the profiled worker's load hook is told, src/profile-agent/heap-delta-target.ts). Found in
// the built service (dist/src, the profiler's own code left out) by the shape tsc emits top-level
// declarations in: `function NAME(` or `export function NAME(`, and `class C` with a method or
// getter `NAME(` for `C.NAME`. A `const NAME = () => …` cannot be rewrapped (the module cannot
// reassign a constant) and says so.
import { readdirSync, readFileSync, realpathSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { formatHeapDeltaTarget, type HeapDeltaTarget } from '../src/profile-agent/heap-delta-target.js'
import { ProfileOptionError } from '../src/errors.js'
import { createTypeScriptLocator } from './typescript-location.js'

export interface HeapDeltaFunction {
  target: HeapDeltaTarget
  /** CACHESTACK_PROFILE_HEAP_DELTA's value. */
  env: string
  /** The declaration's TypeScript file:line (or the built one when unmapped). */
  where: string
}

const SPEC = /^(?:(?<file>[^:]+):)?(?<binding>[A-Za-z_$][\w$]*)(?:\.(?<member>[A-Za-z_$][\w$]*))?$/
const escape = (text: string): string => text.replace(/[$]/g, '\\$')

function builtModules (dir: string): string[] {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'profile-agent' ? [] : builtModules(path)
    return entry.name.endsWith('.js') ? [path] : []
  })
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length - 1

/** Finds the declaration; throws a ProfileOptionError that says what was found instead. */
export function resolveHeapDeltaFunction (spec: string, { root = process.cwd() }: { root?: string } = {}): HeapDeltaFunction {
  const match = SPEC.exec(spec)
  if (match === null) {
    throw new ProfileOptionError(`--heap-delta=${JSON.stringify(spec)}: expected a function name (resolveCity), a class method or getter ` +
      '(CityIndex.resolve), optionally after its file (src/routes/weather.ts:resolveCity)')
  }
  const { file, binding, member } = match.groups as { file?: string, binding: string, member?: string }
  const dist = join(root, 'dist', 'src')
  const typescript = createTypeScriptLocator({ root, sameBuild: true })
  const found: Array<{ path: string, line: number }> = []
  const constants: string[] = []
  const declaration = member === undefined
    ? new RegExp(`^(?:export\\s+)?(?:async\\s+)?function\\s*\\*?\\s*${escape(binding)}\\s*\\(`, 'm')
    : new RegExp(`^(?:export\\s+)?class\\s+${escape(binding)}\\b`, 'm')
  const memberPattern = member === undefined
    ? null
    : new RegExp(`^\\s+(?:static\\s+)?(?:async\\s+)?(?:get\\s+)?\\*?\\s*${escape(member)}\\s*\\(`, 'm')
  const constant = new RegExp(`^(?:export\\s+)?(?:const|let|var)\\s+${escape(binding)}\\s*=`, 'm')
  for (const path of builtModules(dist)) {
    const rel = relative(root, path)
    // FILE names the module by a tail of its path, .ts or built .js, whole path segments only.
    const tail = (path: string, end: string): boolean => ('/' + path).endsWith('/' + end.replace(/^\.?\//, ''))
    if (file !== undefined && !tail(rel, file.replace(/\.ts$/, '.js')) && !tail(rel.replace(/^dist\//, '').replace(/\.js$/, '.ts'), file)) continue
    const text = readFileSync(path, 'utf8')
    const at = declaration.exec(text)
    if (at !== null) {
      if (memberPattern === null) {
        found.push({ path, line: lineOf(text, at.index) })
        continue
      }
      // The member, after the class's first line (the next top-level declaration ends a class in tsc's output).
      const body = text.slice(at.index)
      const firstLine = body.indexOf('\n') + 1
      const end = firstLine === 0 ? -1 : body.slice(firstLine).search(/^(?!\})\S/m)
      const within = end < 0 ? body : body.slice(0, firstLine + end)
      const m = memberPattern.exec(within)
      if (m !== null) found.push({ path, line: lineOf(text, at.index + m.index + m[0].search(/\S/)) })
    } else if (member === undefined && constant.test(text)) {
      constants.push(rel)
    }
  }
  const name = member === undefined ? binding : `${binding}.${member}`
  if (found.length === 0) {
    const why = constants.length > 0
      ? `: ${binding} is a const (or let) binding in ${constants.join(', ')}, which the wrapper cannot replace; ` +
        'wrap a function declaration or a class method it calls'
      : ` (no top-level function declaration${member === undefined ? '' : ', class method or getter'} of that name in dist/src; ` +
        'the profiler\'s own code is left out)'
    throw new ProfileOptionError(`--heap-delta=${JSON.stringify(spec)}: not found${why}`)
  }
  if (found.length > 1) {
    const where = found.map(({ path }) => relative(root, path)).join(', ')
    throw new ProfileOptionError(`--heap-delta=${JSON.stringify(spec)}: ${name} is declared in ${found.length} modules (${where}); name one: FILE:${name}`)
  }
  const { path, line } = found[0]!
  // The loader names modules by their real path.
  const url = pathToFileURL(realpathSync(path)).href
  const target: HeapDeltaTarget = { url, binding, member: member ?? null }
  const where = typescript(pathToFileURL(path).href, line, 0, member ?? binding) ?? `${relative(root, path).split(sep).join('/')}:${line + 1}`
  return { target, env: formatHeapDeltaTarget(target), where }
}
