// An L1 read: MemoryStore.get (LRU lookup plus the expiry check on the monotonic clock)
// against a raw lru-cache get, on 10,000 entries, cycling through 1,000 hot keys.
import { LRUCache } from 'lru-cache'
import { createEntry } from '../src/cache/entry.js'
import { MemoryStore, type MemoryRecord } from '../src/cache/memory-store.js'
import { runSuite, Sink, type TaskResult } from './harness.js'

const BATCH = 1000
const ENTRIES = 10_000
const HOT = 1000

export async function l1GetBench (): Promise<TaskResult[]> {
  const store = new MemoryStore({ maxEntries: ENTRIES, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 1024 * 1024, clock: performance })
  const raw = new LRUCache<string, MemoryRecord>({ max: ENTRIES })
  const keys = Array.from({ length: ENTRIES }, (_, i) => String(1_000_000 + i))
  for (const key of keys) {
    store.set(key, createEntry(`{"id":${key}}`, Date.now()), { freshMs: 3_600_000 })
    raw.set(key, store.get(key)!)
  }
  const sink = new Sink()
  let i = 0
  return await runSuite('L1 get', [
    { name: 'MemoryStore.get (hit)', batch: BATCH, fn: () => { for (let k = 0; k < BATCH; k++) sink.take(store.get(keys[i++ % HOT]!) === undefined ? 0 : 1) } },
    { name: 'LRUCache.get (hit, raw)', batch: BATCH, fn: () => { for (let k = 0; k < BATCH; k++) sink.take(raw.get(keys[i++ % HOT]!) === undefined ? 0 : 1) } }
  ])
}
