// Every L1 store, today's (MemoryStore, lru-cache) and each eviction policy's, passes the same
// contract (l1-store-contract.ts).
import { L1_POLICIES } from '../../src/config.js'
import { createL1Store } from '../../src/cache/l1-policies/create-l1-store.js'
import { MemoryStore } from '../../src/cache/memory-store.js'
import { l1StoreContract } from './l1-store-contract.js'

l1StoreContract('MemoryStore', (options) => new MemoryStore(options))
for (const policy of L1_POLICIES) l1StoreContract(`L1_POLICY=${policy}`, (options) => createL1Store(policy, options))
