// What every policy store shares with MemoryStore: the options check, how a record's lifetimes
// are computed, and what a record weighs. The same numbers as memory-store.ts, so a policy
// changes which records stay, never how long one may be served (the contract suite checks it).
import type { CacheEntry } from '../entry.js'
import type { Lifetime, MemoryRecord, MemoryStoreOptions } from '../memory-store.js'

/** A record's weight against maxBytes: the body, plus a fixed allowance for the slot. */
export const recordBytes = (entry: CacheEntry): number => entry.body.length + 64

/** Throws on a bound that is not a positive number; returns the largest record kept, bytes. */
export function checkStoreOptions ({ maxEntries, maxBytes, maxEntryBytes }: MemoryStoreOptions): number {
  if (!(maxEntries >= 1)) throw new TypeError(`expected maxEntries to be >= 1, got ${maxEntries}`)
  if (!(maxBytes >= 1)) throw new TypeError(`expected maxBytes to be >= 1, got ${maxBytes}`)
  if (!(maxEntryBytes >= 1)) throw new TypeError(`expected maxEntryBytes to be >= 1, got ${maxEntryBytes}`)
  return Math.min(maxEntryBytes, maxBytes)
}

/** The record for a set at `now`, or undefined when the lifetime leaves nothing to serve. */
export function recordOf (entry: CacheEntry, { freshMs, graceMs = 0, deltaMs = 0 }: Lifetime, now: number): MemoryRecord | undefined {
  if (freshMs + graceMs <= 0) return undefined
  return { entry, freshUntil: now + freshMs, staleUntil: now + Math.max(0, freshMs) + graceMs, deltaMs }
}
