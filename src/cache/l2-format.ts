// L2 wire format: `<etag>\n<storedAt>\n<graceMs>\n<deltaMs>\n<body>`. The body is stored as
// serialized, never parsed or re-serialized on the way through; the small header carries what
// the engine needs to split Redis's one physical TTL back into fresh + grace, and XFetch's delta.
import type { CacheEntry } from './entry.js'

export interface L2Value {
  readonly entry: CacheEntry
  readonly graceMs: number
  readonly deltaMs: number
}

export function encodeL2Value (entry: CacheEntry, graceMs: number, deltaMs: number): string {
  return entry.etag + '\n' + entry.storedAt + '\n' + graceMs + '\n' + Math.round(deltaMs) + '\n' + entry.body
}

/** Decodes an L2 value; undefined when it is not in this format (treated as a miss, then overwritten). */
export function decodeL2Value (raw: string): L2Value | undefined {
  const fields: number[] = []
  let start = raw.indexOf('\n')
  if (start <= 0) return undefined
  const etag = raw.slice(0, start)
  for (let i = 0; i < 3; i++) {
    const end = raw.indexOf('\n', start + 1)
    if (end <= start + 1) return undefined
    const n = Number(raw.slice(start + 1, end))
    if (!Number.isFinite(n) || n < 0) return undefined
    fields.push(n)
    start = end
  }
  return { entry: { etag, storedAt: fields[0]!, body: raw.slice(start + 1) }, graceMs: fields[1]!, deltaMs: fields[2]! }
}
