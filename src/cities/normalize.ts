// City names from the URL → one canonical form, or a 400. Nothing reaches a cache or the
// origin before this has run.
import { createHash } from 'node:crypto'
import { CityInvalidError, CountryInvalidError } from '../errors.js'

export const MAX_CITY_NAME_LENGTH = 100

// Letters, marks, digits, spaces and the punctuation real city names use
// ("Stratford-upon-Avon", "St. John's", "Biel/Bienne", "Nuku‘alofa").
const ALLOWED = /^[\p{L}\p{M}\p{N}\p{Zs}'’‘.,()/-]+$/u
const CONTROL = /\p{Cc}/u
const SPACES = /\s+/g
const ASCII_LOWER_WORD = /^[a-z]+$/
const ASCII = /^[\x20-\x7e]*$/

/**
 * Trim, lower case, Unicode NFC, inner whitespace collapsed: `New York`, `new%20york` and
 * ` NEW  YORK ` are one key. Throws CS_ERR_CITY_INVALID on empty, over-long, control
 * characters, or path tricks. Idempotent: a key normalizes to itself.
 */
export function normalizeCityName (raw: string): string {
  // The common case, a plain lower-case word, needs none of the work below.
  if (raw.length <= MAX_CITY_NAME_LENGTH && ASCII_LOWER_WORD.test(raw)) return raw
  if (CONTROL.test(raw)) throw new CityInvalidError('control characters are not allowed')
  const trimmed = raw.trim()
  if (trimmed.length === 0) throw new CityInvalidError('empty')
  if (trimmed.length > MAX_CITY_NAME_LENGTH) throw new CityInvalidError(`longer than ${MAX_CITY_NAME_LENGTH} characters`)
  if (!ALLOWED.test(trimmed)) throw new CityInvalidError('unexpected characters')
  if (trimmed.includes('..') || trimmed.startsWith('/') || trimmed.endsWith('/')) throw new CityInvalidError('path segments are not allowed')
  // NFC only matters outside ASCII; skipping it there keeps the request path cheap.
  const key = ASCII.test(trimmed) ? trimmed.toLowerCase().replace(SPACES, ' ') : foldCase(trimmed)
  // Lower case can lengthen a name ("İ" is two code units in lower case): the limit is the key's.
  if (key.length > MAX_CITY_NAME_LENGTH) throw new CityInvalidError(`longer than ${MAX_CITY_NAME_LENGTH} characters`)
  return key
}

/** Lower case first, then NFC: lower-casing can create a pair NFC composes ("H" + U+0331 has no
 * precomposed form, "h" + U+0331 is "ẖ"), so the other order is not idempotent (fast-check). */
function foldCase (name: string): string {
  return name.toLowerCase().normalize('NFC').replace(SPACES, ' ')
}

/** Canonical form of a name in the data set (no validation: the data set is trusted). */
export function canonicalName (name: string): string {
  return foldCase(name.trim())
}

const COUNTRY = /^[A-Za-z]{2}$/

/** ISO 3166-1 alpha-2, upper case; throws CS_ERR_COUNTRY_INVALID. */
export function normalizeCountry (raw: string): string {
  if (!COUNTRY.test(raw)) throw new CountryInvalidError(JSON.stringify(raw.slice(0, 10)))
  return raw.toUpperCase()
}

/** Identifies the canonical form by the code that makes it: what is built from canonical names
 * (the compact city file) is stale as soon as that code changes, with no version to remember. */
export const CANONICAL_FORM_ID = createHash('sha256').update(canonicalName.toString() + foldCase.toString()).digest('hex').slice(0, 12)
