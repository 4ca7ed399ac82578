// One cached answer: the JSON bytes exactly as sent, serialized once when the origin answered,
// with an ETag computed once. A hit sends these bytes; nothing re-serializes.
import { createHash } from 'node:crypto'

export interface CacheEntry {
  /** The response body, UTF-8 JSON. */
  readonly body: Buffer
  /** Strong validator of `body` (RFC 9110 §8.8.3), quoted. */
  readonly etag: string
  /** Wall-clock ms when the origin produced this answer; `Age` counts from here (RFC 9111 §5.1). */
  readonly storedAt: number
}

export function createEntry (json: string, storedAt: number): CacheEntry {
  const body = Buffer.from(json)
  const etag = '"' + createHash('sha1').update(body).digest('base64url') + '"'
  return { body, etag, storedAt }
}

// L2 wire format: `<etag>\n<storedAt>\n<body>`. The body is not re-encoded and, on read,
// not copied (a subarray of the reply buffer).
const NL = 0x0a

export function encodeEntry (entry: CacheEntry): Buffer {
  return Buffer.concat([Buffer.from(`${entry.etag}\n${entry.storedAt}\n`), entry.body])
}

/** Decodes an L2 value; undefined when it is not in this format (treated as a miss, then overwritten). */
export function decodeEntry (raw: Buffer): CacheEntry | undefined {
  const first = raw.indexOf(NL)
  if (first <= 0) return undefined
  const second = raw.indexOf(NL, first + 1)
  if (second <= first + 1) return undefined
  const storedAt = Number(raw.toString('latin1', first + 1, second))
  if (!Number.isFinite(storedAt)) return undefined
  return { etag: raw.toString('latin1', 0, first), storedAt, body: raw.subarray(second + 1) }
}
