import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEntry, decodeEntry, encodeEntry } from '../../src/cache/entry.js'

test('an entry round-trips through the L2 format byte for byte', () => {
  const entry = createEntry(JSON.stringify({ city: 'Zürich', line: 'a\nb' }), 1_700_000_000_123)
  const decoded = decodeEntry(encodeEntry(entry))
  assert.ok(decoded)
  assert.equal(decoded.etag, entry.etag)
  assert.equal(decoded.storedAt, entry.storedAt)
  assert.equal(decoded.body, entry.body)
})

test('the ETag is computed once from the body: same body, same tag; other body, other tag', () => {
  assert.equal(createEntry('{"a":1}', 1).etag, createEntry('{"a":1}', 2).etag)
  assert.notEqual(createEntry('{"a":1}', 1).etag, createEntry('{"a":2}', 1).etag)
  assert.match(createEntry('{}', 1).etag, /^"[\w-]+"$/)
})

test('foreign bytes decode to undefined (a miss), not garbage', () => {
  for (const raw of ['', 'hello', '"etag"\nnot-a-number\n{}', '\n1\n{}']) assert.equal(decodeEntry(raw), undefined, raw)
})
