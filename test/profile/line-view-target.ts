// What the line view's tests profile by hand: a real module of this repository, built by the
// project's own compiler (its dist/ .js and .js.map are real tsc output), kept in this folder so
// that no change elsewhere moves its lines. Types and one-line `if`s make its built lines differ
// from these, as in the service's code.
export const LIMIT = 100

/** Trimmed, inner whitespace collapsed, lower case. */
export function normalizeName (raw: string): string {
  if (raw.length > LIMIT) throw new RangeError(`longer than ${LIMIT} characters`)
  // Whitespace around a name is not part of it.
  const trimmed: string = raw.trim()
  if (trimmed.length === 0) return ''
  const words: string[] = trimmed.split(/\s+/)
  return words.join(' ').toLowerCase()
}

export function shout (text: string): string {
  return text.toUpperCase() + '!'
}
