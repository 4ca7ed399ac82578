import { test } from 'node:test'
import assert from 'node:assert/strict'
import { codeOrigin, shortLocation } from '../../profile/code-origin.js'

test('whose code: ours, a dependency, Node, native, V8', () => {
  assert.equal(codeOrigin('file:///srv/app/dist/src/routes/weather.js'), 'own')
  assert.equal(codeOrigin('file:///srv/app/src/cities/normalize.ts'), 'own')
  assert.equal(codeOrigin('file:///srv/app/node_modules/fastify/lib/reply.js'), 'dependency')
  assert.equal(codeOrigin('file:///srv/app/node_modules/@fastify/error/index.js'), 'dependency')
  assert.equal(codeOrigin('wasm://wasm/0002f80e'), 'dependency')
  assert.equal(codeOrigin('node:internal/http'), 'node')
  assert.equal(codeOrigin('node:events'), 'node')
  assert.equal(codeOrigin('events'), 'node')
  assert.equal(codeOrigin('', '(idle)'), 'v8')
  assert.equal(codeOrigin('', '(garbage collector)'), 'v8')
  // Native code is real work: a builtin our code called, a syscall binding.
  assert.equal(codeOrigin('', 'stringify'), 'native')
  assert.equal(codeOrigin('', 'writev'), 'native')
})

test('short locations: relative to the root, to node_modules, or as given; lines 1-based', () => {
  assert.equal(shortLocation('file:///srv/app/dist/src/app.js', 9, '/srv/app'), 'dist/src/app.js:10')
  assert.equal(shortLocation('file:///srv/app/node_modules/fastify/lib/reply.js', 0, '/srv/app'), 'fastify/lib/reply.js:1')
  assert.equal(shortLocation('file:///elsewhere/x.js', 4, '/srv/app'), '/elsewhere/x.js:5')
  assert.equal(shortLocation('node:events', 470, '/srv/app'), 'node:events:471')
  assert.equal(shortLocation('', -1, '/srv/app'), '')
})
