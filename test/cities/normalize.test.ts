import { test } from 'node:test'
import assert from 'node:assert/strict'
import { normalizeCityName, normalizeCountry } from '../../src/cities/normalize.js'

test('spellings of one city normalize to one key', () => {
  for (const raw of ['New York', 'new york', ' NEW  YORK ', 'New\u00a0York', '\tnew york\n'.replace(/[\t\n]/g, ' ')]) {
    assert.equal(normalizeCityName(raw), 'new york', JSON.stringify(raw))
  }
})

test('Unicode NFC: composed and decomposed forms are one key', () => {
  const composed = 'S\u00e3o Paulo'
  const decomposed = 'Sa\u0303o Paulo'
  assert.notEqual(composed, decomposed)
  assert.equal(normalizeCityName(decomposed), normalizeCityName(composed))
  assert.equal(normalizeCityName(composed), 's\u00e3o paulo')
})

test('real punctuation is accepted', () => {
  assert.equal(normalizeCityName("St. John's"), "st. john's")
  assert.equal(normalizeCityName('Biel/Bienne'), 'biel/bienne')
  assert.equal(normalizeCityName('Stratford-upon-Avon'), 'stratford-upon-avon')
})

test('invalid input is CS_ERR_CITY_INVALID', () => {
  const invalid = ['', '   ', 'x'.repeat(101), '\u0000x', 'a\u0007b', '../etc/passwd', '..', '/paris', 'paris/', 'a\\b', '<script>', 'paris;drop', 'a%b']
  for (const raw of invalid) {
    assert.throws(() => normalizeCityName(raw), { code: 'CS_ERR_CITY_INVALID', statusCode: 400 }, JSON.stringify(raw))
  }
  assert.equal(normalizeCityName('x'.repeat(100)), 'x'.repeat(100))
})

test('country codes: two letters, upper-cased', () => {
  assert.equal(normalizeCountry('fr'), 'FR')
  for (const raw of ['', 'F', 'FRA', '1A', 'F\u0000']) {
    assert.throws(() => normalizeCountry(raw), { code: 'CS_ERR_COUNTRY_INVALID' })
  }
})
