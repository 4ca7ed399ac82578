// City names from the URL → one canonical form, or a 400. Nothing reaches a cache or the
// origin before this has run.
import { CityInvalidError, CountryInvalidError } from '../errors.js'
import { foldCase } from './canonical-name.js'

// The data set's side (canonicalName: the indexes' keys) lives in canonical-name.ts.
export { canonicalName } from './canonical-name.js'

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

const COUNTRY = /^[A-Za-z]{2}$/

/** ISO 3166-1 alpha-2, upper case; throws CS_ERR_COUNTRY_INVALID. */
export function normalizeCountry (raw: string): string {
  if (!COUNTRY.test(raw)) throw new CountryInvalidError(JSON.stringify(raw.slice(0, 10)))
  return raw.toUpperCase()
}
