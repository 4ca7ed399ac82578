import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEntry } from '../../src/cache/entry.js'
import { decodeL2Value, encodeL2Value } from '../../src/cache/l2-format.js'

test('an entry round-trips through the L2 format, with its grace and recompute time', () => {
  const entry = createEntry(JSON.stringify({ city: 'Zürich', line: 'a\nb' }), 1_700_000_000_123)
  const decoded = decodeL2Value(encodeL2Value(entry, 600_000, 81.6))
  assert.ok(decoded)
  assert.deepEqual(decoded.entry, entry)
  assert.equal(decoded.graceMs, 600_000)
  assert.equal(decoded.deltaMs, 82)
})

test('the ETag is computed once from the body: same body, same tag; other body, other tag', () => {
  assert.equal(createEntry('{"a":1}', 1).etag, createEntry('{"a":1}', 2).etag)
  assert.notEqual(createEntry('{"a":1}', 1).etag, createEntry('{"a":2}', 1).etag)
  assert.match(createEntry('{}', 1).etag, /^"[\w-]+"$/)
})

test('foreign bytes decode to undefined (a miss), not garbage', () => {
  for (const raw of ['', 'hello', '"etag"\nnot-a-number\n0\n0\n{}', '\n1\n0\n0\n{}', '"e"\n1\n-5\n0\n{}', '"e"\n1\n0\n{}']) {
    assert.equal(decodeL2Value(raw), undefined, JSON.stringify(raw))
  }
})
