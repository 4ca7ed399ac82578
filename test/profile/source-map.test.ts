// Built lines back to TypeScript through the compiler's real source maps (this repository's own
// dist/, built before the tests), and a recorded script found in this checkout. The detailed
// checks use line-view-target.ts, whose lines no other change moves; the service's normalize.ts
// is checked by its function's declaration, which outlives edits of its body.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { locateScript } from '../../profile/script-location.js'
import { loadSourceMap } from '../../profile/source-map.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const JS = join(ROOT, 'dist/test/profile/line-view-target.js')
const TS = join(ROOT, 'test/profile/line-view-target.ts')

/** 1-based line of the first line of `file` containing `needle`. */
function lineOf (file: string, needle: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(needle))
  assert.ok(index >= 0, `${needle} in ${file}`)
  return index + 1
}

test('a statement of a built .js maps back to its line in the .ts', () => {
  const text = readFileSync(JS, 'utf8')
  const lines = text.split('\n')
  const loaded = loadSourceMap(JS, text)
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.problem)
  const map = loaded.map
  assert.equal(map.from, JS + '.map')

  // The TypeScript has types and a blank line or two the JavaScript has not: the lines differ.
  const jsReturn = lineOf(JS, 'return words.join')
  const tsReturn = lineOf(TS, 'return words.join')
  assert.notEqual(jsReturn, tsReturn, 'a test that would pass without the map proves nothing')
  assert.deepEqual(map.line(jsReturn, lines[jsReturn - 1]!), { path: TS, line: tsReturn, column: 2 })

  // A function's start, as a call frame gives it (0-based column of the parameter list).
  const jsDecl = lineOf(JS, 'export function normalizeName(')
  const start = map.position(jsDecl, lines[jsDecl - 1]!.indexOf('('))
  assert.equal(start?.line, lineOf(TS, 'export function normalizeName ('))
  // A one-line TypeScript `if (…) return ''` became two JavaScript lines: both map to it.
  const jsIf = lineOf(JS, 'if (trimmed.length === 0)')
  assert.match(lines[jsIf]!, /^\s+return '';$/)
  assert.equal(map.line(jsIf, lines[jsIf - 1]!)?.line, lineOf(TS, 'if (trimmed.length === 0)'))
  assert.equal(map.line(jsIf + 1, lines[jsIf]!)?.line, lineOf(TS, 'if (trimmed.length === 0)'))
})

test('the service\'s dist/src/cities/normalize.js maps its function back to src/cities/normalize.ts', () => {
  const js = join(ROOT, 'dist/src/cities/normalize.js')
  const text = readFileSync(js, 'utf8')
  const loaded = loadSourceMap(js, text)
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.problem)
  const ts = join(ROOT, 'src/cities/normalize.ts')
  const jsDecl = lineOf(js, 'export function normalizeCityName(')
  const position = loaded.map.line(jsDecl, text.split('\n')[jsDecl - 1]!)
  assert.deepEqual(position, { path: ts, line: lineOf(ts, 'export function normalizeCityName ('), column: 0 })
})

test('no mapping on a line is null: not the nearest entry of an earlier line (Node 20), not {} or undefined', () => {
  const text = readFileSync(JS, 'utf8')
  const loaded = loadSourceMap(JS, text)
  assert.ok(loaded.ok)
  // Past the end, Node 20's findEntry returns the map's last entry; it is not this line's.
  assert.equal(loaded.map.position(text.split('\n').length + 50, 0), null)
  // A map without mappings: findEntry returns {} on Node 20 (undefined on later versions).
  const empty = Buffer.from(JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: '' })).toString('base64')
  const inline = loadSourceMap('/x/a.js', `run()\n//# sourceMappingURL=data:application/json;base64,${empty}\n`)
  assert.ok(inline.ok)
  assert.equal(inline.map.from, 'inline')
  assert.equal(inline.map.position(1, 0), null)
  assert.equal(inline.map.line(1, 'run()'), null)
  const missing = loadSourceMap('/nowhere/b.js', 'run()\n')
  assert.ok(!missing.ok && /no source map \(\/nowhere\/b\.js\.map not found\)/.test(missing.problem))
})

test('a script recorded in another checkout is looked for under this one\'s dist/, then where it was', () => {
  const exists = (path: string): boolean => path === '/here/dist/src/app.js' || path === '/srv/old/lib/tool.js'
  assert.deepEqual(locateScript('file:///srv/app/dist/src/app.js', '/here', exists), {
    path: '/here/dist/src/app.js',
    tried: ['/here/dist/src/app.js', '/srv/app/dist/src/app.js']
  })
  assert.deepEqual(locateScript('file:///srv/old/lib/tool.js', '/here', exists), { path: '/srv/old/lib/tool.js', tried: ['/srv/old/lib/tool.js'] })
  assert.equal(locateScript('file:///srv/app/dist/src/gone.js', '/here', exists).path, null)
  assert.deepEqual(locateScript('node:internal/timers', '/here', exists), { path: null, tried: [] })
  assert.deepEqual(locateScript('', '/here', exists), { path: null, tried: [] })
})
