import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renderTemplate } from '../../src/nginx/template.js'

test('values are inserted and sections kept or dropped by truthiness', () => {
  const text = 'a {{x}};\n{{#on}}\nkept {{x}};\n{{/on}}\n{{^on}}\ndropped;\n{{/on}}\n{{#off}}\nnever;\n{{/off}}\nend\n'
  assert.equal(renderTemplate(text, { x: 7, on: true, off: '' }), 'a 7;\nkept 7;\nend\n')
  assert.equal(renderTemplate(text, { x: 7, on: false, off: false }), 'a 7;\ndropped;\nend\n')
})

test('nested sections resolve outermost first', () => {
  const text = '{{#a}}\nA\n{{#b}}\nB\n{{/b}}\n{{/a}}\n'
  assert.equal(renderTemplate(text, { a: true, b: true }), 'A\nB\n')
  assert.equal(renderTemplate(text, { a: true, b: false }), 'A\n')
  assert.equal(renderTemplate(text, { a: false, b: true }), '')
})

test('a placeholder the view lacks is an error naming it', () => {
  assert.throws(() => renderTemplate('listen {{port}};', {}), /\{\{port\}\} has no value/)
  assert.throws(() => renderTemplate('{{#edge}}x{{/edge}}', {}), /\{\{edge\}\} has no value/)
})

test('an unbalanced section is an error, not silently kept', () => {
  assert.throws(() => renderTemplate('{{#edge}}\nproxy_cache x;\n', { edge: true }), /unbalanced or malformed/)
})

test('nginx syntax (single braces, $variables) passes through untouched', () => {
  const text = 'map $a $b { "~^[a-z]{1,8}$" $a; }\nlocation / { return 200; }\n'
  assert.equal(renderTemplate(text, {}), text)
})
