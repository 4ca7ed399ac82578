// L1_POLICY → the L1 store. `lru` is MemoryStore (lru-cache), the others are written here: no
// npm package keeps a SIEVE, S3-FIFO or W-TinyLFU cache bounded by entries *and* bytes with
// expiry on an injected clock (docs/caching-policies.md says what the registry has).
import type { L1PolicyName } from '../../config.js'
import { MemoryStore, type L1Store, type MemoryStoreOptions } from '../memory-store.js'
import { S3FifoStore } from './s3fifo-store.js'
import { SieveStore } from './sieve-store.js'
import { TinyLfuStore } from './tinylfu-store.js'

export function createL1Store (policy: L1PolicyName, options: MemoryStoreOptions): L1Store {
  switch (policy) {
    case 'lru': return new MemoryStore(options)
    case 'sieve': return new SieveStore(options)
    case 's3fifo': return new S3FifoStore(options)
    case 'tinylfu': return new TinyLfuStore(options)
  }
}
