// The canonical form of a city name — the key the city indexes are built of — apart from the
// request-side validation in normalize.ts: the compact index needs only this, and so does not
// load the error catalogue (and @fastify/error, through the CommonJS loader) into a bare process.
import { createHash } from 'node:crypto'

const SPACES = /\s+/g

/** Lower case first, then NFC: lower-casing can create a pair NFC composes ("H" + U+0331 has no
 * precomposed form, "h" + U+0331 is "ẖ"), so the other order is not idempotent (fast-check). */
export function foldCase (name: string): string {
  return name.toLowerCase().normalize('NFC').replace(SPACES, ' ')
}

/** Canonical form of a name in the data set (no validation: the data set is trusted). */
export function canonicalName (name: string): string {
  return foldCase(name.trim())
}

/** Identifies the canonical form by the code that makes it: what is built from canonical names
 * (the compact city file) is stale as soon as that code changes, with no version to remember. */
export const CANONICAL_FORM_ID = createHash('sha256').update(canonicalName.toString() + foldCase.toString()).digest('hex').slice(0, 12)
