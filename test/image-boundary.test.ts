// The service is src/ and only src/: it is what the Docker image builds and ships. A file under
// src/ that imports a path outside it (the load-test suite, the ladder, a test helper) breaks the
// image's build; a package that is only a dev dependency breaks the image at run time, since its
// runtime stage installs `npm ci --omit=dev`. Both are read off the sources here, and the build
// stage is then compiled for real from exactly the files the Dockerfile copies.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SRC = join(ROOT, 'src')

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : []
  })
}

/** Every module specifier of a file: static imports and re-exports, dynamic import(), require(). */
export function importsOf (source: string): string[] {
  const specifiers: string[] = []
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g
  ]
  // Comments may mention paths (`node --import ./dist/…`); only code counts.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) specifiers.push(match[1]!)
  return specifiers
}

const packageName = (specifier: string): string => specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
const runtimePackages = new Set(Object.keys(manifest.dependencies))
const builtins = new Set(builtinModules)

test('importsOf finds static, type-only, re-exported and dynamic imports, not paths in comments', () => {
  const found = importsOf([
    "import { a } from './a.js'",
    "import type { B } from '../b.js'",
    "export { c } from './c.js'",
    "import * as d from 'd'",
    "const e = await import('e/sub')",
    '// node --import ./dist/preload.js',
    "import './side-effect.js'"
  ].join('\n'))
  assert.deepEqual(found.sort(), ['../b.js', './a.js', './c.js', './side-effect.js', 'd', 'e/sub'].sort())
})

test('no file under src/ imports a path outside src/, nor a package the image does not install', () => {
  const outside: string[] = []
  const devOnly: string[] = []
  for (const file of sourceFiles(SRC)) {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const where = relative(ROOT, file)
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier)
        if (target !== SRC && !target.startsWith(SRC + sep)) outside.push(`${where} imports ${specifier}`)
      } else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
        if (!runtimePackages.has(packageName(specifier))) devOnly.push(`${where} imports ${specifier}`)
      }
    }
  }
  assert.deepEqual(outside, [], `src/ is what the image ships; these reach outside it (move the code, or the tool, to its side):\n${outside.join('\n')}`)
  assert.deepEqual(devOnly, [], `the image installs "dependencies" only; these are not among them:\n${devOnly.join('\n')}`)
})

test("the Dockerfile's build stage compiles from exactly what it copies", () => {
  const dockerfile = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8')
  const build = /FROM \S+ AS build\n([\s\S]*?)\nFROM /i.exec(dockerfile)?.[1]
  assert.ok(build !== undefined, 'a stage named build')
  const copied = [...build.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.trim().split(/\s+/))
  assert.ok(copied.includes('src'), `the build stage copies src/ (it copies ${copied.join(', ')})`)
  const dir = mkdtempSync(join(tmpdir(), 'cs-image-build-'))
  try {
    for (const path of copied) cpSync(join(ROOT, path), join(dir, path), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', join(dir, 'dist')], { cwd: dir, stdio: 'pipe' })
    } catch (err) {
      const output = String((err as { stdout?: Buffer }).stdout ?? '') + String((err as { stderr?: Buffer }).stderr ?? '')
      assert.fail(`the image's build stage fails with only ${copied.join(', ')}:\n${output.split('\n').slice(0, 15).join('\n')}`)
    }
    assert.ok(readdirSync(join(dir, 'dist/src')).includes('main.js'), 'dist/src/main.js is built')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
