// Every CS_ERR_* code is defined once, in src/errors.ts: nothing else in the tree (tests aside)
// gives an error a code of its own or names a code the catalogue does not hold; the tools' option
// errors are the catalogue's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as catalogue from '../src/errors.js'
import { parseLadderArgs } from '../ladder/options.js'
import { parseCommandLine as parseLoadTestArgs } from '../loadtest/cli.js'
import { parseProfileArgs } from '../profile/cli-options.js'
import { parseCommandLine as parseSoakArgs } from '../soak/cli.js'
import { nativeNginxOptions, renderNginxConfig } from '../src/nginx/nginx-config.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CATALOGUE_FILE = join('src', 'errors.ts')

/** Each error class of the catalogue, by export name, with its code. */
const classes = Object.entries(catalogue).flatMap(([name, value]) => {
  if (typeof value !== 'function' || !(value.prototype instanceof Error)) return []
  const code = (new (value as new () => { code: string })()).code
  return [{ name, code }]
})
const defined = new Set([...classes.map((c) => c.code), ...Object.values(catalogue.EDGE_ERRORS).map((body) => body.code)])

// Source and configuration the project runs: code, shell, nginx and Varnish templates, YAML.
const SCANNED = /\.(ts|mts|js|mjs|cjs|sh|template|conf|vcl|ya?ml)$/
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.tmp', 'test'])

function projectFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) || entry.name.endsWith('results') ? [] : projectFiles(path)
    return SCANNED.test(entry.name) ? [path] : []
  })
}

/** The code of a file without its comments: a comment may mention any code, retired ones too. */
export function withoutComments (source: string, file: string): string {
  if (/\.(sh|template|conf|vcl|ya?ml)$/.test(file)) return source.replace(/^\s*#.*$/gm, '')
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
}

/**
 * What in `code` defines a code outside the catalogue: an error code given by a class or a
 * createError of its own, or a CS_ERR_* the catalogue does not hold (a new code, or a typo).
 */
export function codeDefinitions (code: string, known: ReadonlySet<string>): string[] {
  const found: string[] = []
  if (/\bcreateError\s*\(/.test(code)) found.push('calls createError (errors are made in src/errors.ts)')
  for (const match of code.matchAll(/\b(?:readonly|static|this\.)\s*code\b[^=\n]*=\s*['"`](CS_ERR_\w+)/g)) found.push(`gives an error the code ${match[1]}`)
  for (const match of code.matchAll(/\bCS_ERR_[A-Z0-9_]*[A-Z0-9]\b/g)) {
    if (!known.has(match[0])) found.push(`names ${match[0]}, which src/errors.ts does not define`)
  }
  return found
}

test('codeDefinitions: an error class with its own code, a createError, an unknown code; mentions of the catalogue pass', () => {
  const known = new Set(['CS_ERR_CITY_INVALID'])
  assert.deepEqual(codeDefinitions("class E extends Error { readonly code = 'CS_ERR_CITY_INVALID' }", known), ['gives an error the code CS_ERR_CITY_INVALID'])
  assert.deepEqual(codeDefinitions("this.code = 'CS_ERR_CITY_INVALID'", known), ['gives an error the code CS_ERR_CITY_INVALID'])
  assert.deepEqual(codeDefinitions("const E = createError('X', 'y')", known), ['calls createError (errors are made in src/errors.ts)'])
  assert.deepEqual(codeDefinitions("{ status: 400, code: 'CS_ERR_CITY_INAVLID' }", known), ['names CS_ERR_CITY_INAVLID, which src/errors.ts does not define'])
  assert.deepEqual(codeDefinitions("{ status: 400, code: 'CS_ERR_CITY_INVALID' }; startsWith('CS_ERR_')", known), [])
  assert.equal(withoutComments("// CS_ERR_GONE\n/* CS_ERR_GONE */ const url = 'http://x' // CS_ERR_GONE", 'a.ts').includes('CS_ERR_GONE'), false)
  assert.equal(withoutComments("  # CS_ERR_GONE\nreturn 404 '{\"code\":\"CS_ERR_CITY_INVALID\"}';", 'a.conf').includes('CS_ERR_GONE'), false)
})

test('the catalogue defines each code once, every one CS_ERR_*', () => {
  assert.ok(classes.length >= 20, `found ${classes.length} error classes`)
  const seen = new Map<string, string>()
  for (const { name, code } of classes) {
    assert.match(code, /^CS_ERR_[A-Z0-9_]+$/, name)
    assert.equal(seen.get(code), undefined, `${name} and ${seen.get(code)} share ${code}`)
    seen.set(code, name)
  }
  const optionCodes = ['CONFIG_INVALID', 'NGINX_OPTION', 'LOADTEST_OPTION', 'LADDER_OPTION', 'PROFILE_OPTION', 'SOAK_OPTION'].map((name) => `CS_ERR_${name}`)
  for (const code of optionCodes) {
    assert.ok(seen.has(code), `${code} is in the catalogue`)
  }
})

test('no file outside src/errors.ts (tests aside) defines a CS_ERR_* code', () => {
  const files = projectFiles(ROOT)
  assert.ok(files.some((file) => file.endsWith(join('soak', 'mix.ts'))), 'the tools are scanned')
  const problems = files
    .filter((file) => relative(ROOT, file) !== CATALOGUE_FILE)
    .flatMap((file) => codeDefinitions(withoutComments(readFileSync(file, 'utf8'), file), defined).map((problem) => `${relative(ROOT, file)} ${problem}`))
  assert.deepEqual(problems, [], `define codes in src/errors.ts only:\n${problems.join('\n')}`)
})

test("the tools' option errors are the catalogue's", () => {
  const cases: Array<[() => unknown, new (...args: never[]) => Error, string]> = [
    [() => parseLoadTestArgs(['--connections', '0'], false), catalogue.LoadTestOptionError, 'CS_ERR_LOADTEST_OPTION'],
    [() => parseLadderArgs(['--rounds', 'x']), catalogue.LadderOptionError, 'CS_ERR_LADDER_OPTION'],
    [() => parseProfileArgs(['--top', '0']), catalogue.ProfileOptionError, 'CS_ERR_PROFILE_OPTION'],
    [() => parseSoakArgs(['--rate', '0']), catalogue.SoakOptionError, 'CS_ERR_SOAK_OPTION'],
    [() => renderNginxConfig(nativeNginxOptions({ workDir: 'relative', port: 1, appPort: 2 }), ''), catalogue.NginxOptionError, 'CS_ERR_NGINX_OPTION']
  ]
  for (const [run, ErrorClass, code] of cases) {
    assert.throws(run, (err: Error & { code?: string }) => err instanceof ErrorClass && err.code === code, code)
  }
})
