// One cached answer: the JSON exactly as sent, serialized once when the origin answered, with an
// ETag computed once. A hit sends this string; nothing re-serializes.
// A string, not a Buffer: Node writes a string body and the headers in one write(), a Buffer
// body as a second chunk (writev) — measurably slower on the L1 hit path.
import { createHash } from 'node:crypto'

export interface CacheEntry {
  /** The response body, JSON. */
  readonly body: string
  /** Strong validator of `body` (RFC 9110 §8.8.3), quoted. */
  readonly etag: string
  /** Wall-clock ms when the origin produced this answer; `Age` counts from here (RFC 9111 §5.1). */
  readonly storedAt: number
}

export function createEntry (json: string, storedAt: number): CacheEntry {
  return { body: json, etag: etagOf(json), storedAt }
}

/** Strong ETag of a body: 160 bits of SHA-1, base64url, quoted. */
export function etagOf (body: string): string {
  return '"' + createHash('sha1').update(body).digest('base64url') + '"'
}
