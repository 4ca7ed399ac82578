// What the three hand-written policy stores share, written once: the key → node map, the bounds,
// the read (a record past its grace is dropped on the way), the write (a record over the
// per-entry bound is refused and takes the older one with it, as lru-cache does; a new value in
// an existing slot keeps the slot), and delete. Each policy says only what is its own: what a
// hit does, where a new record goes, and which record leaves when a bound is reached.
import type { Clock } from '../clock.js'
import type { CacheEntry } from '../entry.js'
import type { L1Store, Lifetime, MemoryRecord, MemoryStoreOptions } from '../memory-store.js'
import { checkStoreOptions, recordBytes, recordOf } from './l1-record.js'
import type { NodeList, StoreNode } from './node-list.js'

export abstract class PolicyStore implements L1Store {
  protected readonly map = new Map<string, StoreNode>()
  protected readonly clock: Clock
  protected readonly maxEntries: number
  protected readonly maxBytes: number
  /** The largest record kept, bytes (maxEntryBytes, at most maxBytes). */
  protected readonly maxEntryBytes: number

  constructor (options: MemoryStoreOptions) {
    this.maxEntryBytes = checkStoreOptions(options)
    this.maxEntries = options.maxEntries
    this.maxBytes = options.maxBytes
    this.clock = options.clock
  }

  get (key: string): MemoryRecord | undefined {
    const node = this.map.get(key)
    if (node === undefined) {
      this.missed(key)
      return undefined
    }
    this.requested(node)
    const record = node.record
    if (record.staleUntil <= this.clock.now()) {
      this.remove(node)
      return undefined
    }
    this.hit(node)
    return record
  }

  set (key: string, entry: CacheEntry, lifetime: Lifetime): MemoryRecord | undefined {
    const record = recordOf(entry, lifetime, this.clock.now())
    if (record === undefined) return undefined
    const bytes = recordBytes(entry)
    const existing = this.map.get(key)
    if (bytes > this.maxEntryBytes) {
      if (existing !== undefined) this.remove(existing)
      return undefined
    }
    if (existing !== undefined) {
      this.listOf(existing).reweigh(existing, bytes)
      existing.bytes = bytes
      existing.record = record
      this.replaced(existing)
      return record
    }
    this.insert(key, record, bytes)
    return record
  }

  delete (key: string): boolean {
    const node = this.map.get(key)
    if (node === undefined) return false
    this.remove(node)
    return true
  }

  get size (): number {
    return this.map.size
  }

  abstract get bytes (): number
  abstract clear (): void

  /** The queue that holds `node`. */
  protected abstract listOf (node: StoreNode): NodeList
  /** A read of `key`, not held. */
  protected missed (_key: string): void {}
  /** A read of a held record, before its expiry is checked (an expired one is a request too). */
  protected requested (_node: StoreNode): void {}
  /** A read of a record that may be served. */
  protected abstract hit (node: StoreNode): void
  /** A new value in `node`'s slot (bytes and record updated): make room, never evicting it. */
  protected abstract replaced (node: StoreNode): void
  /** A record for a key not held: make room, place it, and add it to the map. */
  protected abstract insert (key: string, record: MemoryRecord, bytes: number): void

  protected remove (node: StoreNode): void {
    this.listOf(node).remove(node)
    this.map.delete(node.key)
  }
}
