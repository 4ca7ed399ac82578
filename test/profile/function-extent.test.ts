// Where a function ends: the bracket scan of the line view, on the shapes of code it meets, and
// the characters that would fool a plain bracket count (strings, regexes, templates, comments).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { functionEndLine } from '../../profile/function-extent.js'

const lines = (text: string): string[] => text.split('\n')

test('a multi-line signature with an object return type ends at the body\'s closing brace', () => {
  const code = lines([
    'export function parse (',
    '  argv: string[]',
    '): { help: boolean, options: { a: number } } {',
    '  const x = { a: 1 }',
    '  return { help: true, options: x }',
    '}',
    'const after = 1'
  ].join('\n'))
  assert.equal(functionEndLine(code, 1, 0), 6)
  // A method of a class, from its name's column.
  assert.equal(functionEndLine(lines('class A {\n  run (n: number): number {\n    return n\n  }\n}'), 2, 2), 4)
})

test('brackets in strings, regular expressions, templates and comments do not count', () => {
  const code = lines([
    'function f (s) {',
    '  const a = \'}\' + "{"',
    '  const r = /[{(]/g',
    // eslint-disable-next-line no-template-curly-in-string -- the code under test has a template literal
    '  const t = `${s.map((x) => `{${x}`).join(\'}\')}` + `}`',
    '  // }',
    '  /* { */',
    '  return a + r + t',
    '}',
    'next()'
  ].join('\n'))
  assert.equal(functionEndLine(code, 1, 0), 8)
})

test('a slash after a value divides: it does not start a regex that would swallow brackets', () => {
  const code = lines('function h (n, m) {\n  const q = n[0] / m[0] + (n[1] / 2)\n  return q\n}\nlater()')
  assert.equal(functionEndLine(code, 1, 0), 4)
  const regexAfterReturn = lines('function k (s) {\n  return /[)]/.test(s)\n}\nlater()')
  assert.equal(functionEndLine(regexAfterReturn, 1, 0), 3)
})

test('arrows: passed as an argument (from the arrow\'s column), on one line, and a start that never ends', () => {
  const argument = lines('items.map((x) => {\n  return x + 1\n})\nother()')
  assert.equal(functionEndLine(argument, 1, 10), 3)
  assert.equal(functionEndLine(lines('const f = (x) => x + 1\nconst g = 2'), 1, 10), 1)
  assert.equal(functionEndLine(lines('function broken () {\n  if (x) {\n'), 1, 0), null)
})
