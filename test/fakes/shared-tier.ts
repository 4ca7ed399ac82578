// In-memory fakes of the shared tier's Redis parts — the L2 store, the fill lock and the
// coherence bus — driven by an injected clock, for the engine's unit tests: time moves when the
// test says so, never by sleeping. test/cache/shared-contract.test.ts runs one contract suite
// against these and against a real Redis and a real Redis Cluster, so a fake cannot drift from
// what it stands for.
import { randomUUID } from 'node:crypto'
import type { Clock } from '../../src/cache/clock.js'
import type { CacheEntry } from '../../src/cache/entry.js'
import type { SharedLock } from '../../src/cache/fill-lock.js'
import type { BusHandlers, CacheBus } from '../../src/cache/invalidation-bus.js'
import { decodeL2Value, encodeL2Value } from '../../src/cache/l2-format.js'
import type { Lifetime } from '../../src/cache/memory-store.js'
import type { RedisHit, SharedStore } from '../../src/cache/redis-store.js'

/** Keys with a time to live on the injected clock: what the fakes share, like one Redis. */
export class FakeKeyspace {
  readonly #values = new Map<string, { value: string, expiresAt: number }>()
  constructor (readonly clock: Clock) {}

  get (key: string): { value: string, remainingMs: number } | undefined {
    const held = this.#values.get(key)
    if (held === undefined) return undefined
    const remainingMs = held.expiresAt - this.clock.now()
    if (remainingMs <= 0) {
      this.#values.delete(key)
      return undefined
    }
    return { value: held.value, remainingMs }
  }

  /** SET key value PX ttl [NX]: false when NX and the key exists. */
  set (key: string, value: string, ttlMs: number, { onlyIfAbsent = false } = {}): boolean {
    if (onlyIfAbsent && this.get(key) !== undefined) return false
    this.#values.set(key, { value, expiresAt: this.clock.now() + ttlMs })
    return true
  }

  delete (key: string): boolean {
    return this.get(key) !== undefined && this.#values.delete(key)
  }
}

/** RedisStore's behaviour (the same value format, PX = fresh + grace) over a FakeKeyspace. */
export class FakeSharedStore implements SharedStore {
  constructor (readonly keyspace: FakeKeyspace, readonly prefix = 'fake:v1:') {}

  async get (key: string): Promise<RedisHit | undefined> {
    const held = this.keyspace.get(this.prefix + key)
    if (held === undefined) return undefined
    const value = decodeL2Value(held.value)
    if (value === undefined) return undefined
    return { entry: value.entry, freshMs: held.remainingMs - value.graceMs, remainingMs: held.remainingMs, graceMs: value.graceMs, deltaMs: value.deltaMs }
  }

  async set (key: string, entry: CacheEntry, { freshMs, graceMs = 0, deltaMs = 0 }: Lifetime): Promise<void> {
    this.keyspace.set(this.prefix + key, encodeL2Value(entry, graceMs, deltaMs), Math.max(1, Math.round(freshMs + graceMs)))
  }

  async delete (key: string): Promise<boolean> {
    return this.keyspace.delete(this.prefix + key)
  }
}

/** FillLock's behaviour (token, expiry, holder-only release) over a FakeKeyspace. */
export class FakeSharedLock implements SharedLock {
  constructor (readonly keyspace: FakeKeyspace, readonly ttlMs: number, readonly prefix = 'fake:v1:lock:') {}

  async acquire (key: string): Promise<string | undefined> {
    const token = randomUUID()
    return this.keyspace.set(this.prefix + key, token, this.ttlMs, { onlyIfAbsent: true }) ? token : undefined
  }

  async release (key: string, token: string): Promise<boolean> {
    return this.keyspace.get(this.prefix + key)?.value === token && this.keyspace.delete(this.prefix + key)
  }

  async isHeld (key: string): Promise<boolean> {
    return this.keyspace.get(this.prefix + key) !== undefined
  }
}

/** One pub/sub channel: every connected bus hears the others' messages, asynchronously (as a
 * subscriber connection would), never its own. A test can cut and restore a bus's connection. */
export class FakeBusHub {
  readonly #buses = new Set<FakeBus>()

  connect (): FakeBus {
    const bus = new FakeBus(this)
    this.#buses.add(bus)
    return bus
  }

  /** @internal */
  deliver (from: FakeBus, message: (handlers: BusHandlers) => void): void {
    for (const bus of this.#buses) if (bus !== from) bus.receive(message)
  }

  /** @internal */
  leave (bus: FakeBus): void {
    this.#buses.delete(bus)
  }
}

export class FakeBus implements CacheBus {
  #handlers: BusHandlers | undefined
  #subscribed = false
  #up = true

  constructor (readonly hub: FakeBusHub) {}

  get connected (): boolean {
    return this.#subscribed && this.#up
  }

  async start (): Promise<void> {
    this.#subscribed = true
  }

  setHandlers (handlers: BusHandlers): void {
    this.#handlers = handlers
  }

  async publishInvalidate (key: string): Promise<void> {
    if (!this.#up) throw new Error('fake bus: connection lost')
    this.hub.deliver(this, (handlers) => handlers.invalidate(key))
  }

  async publishFilled (key: string, etag: string): Promise<void> {
    if (!this.#up) throw new Error('fake bus: connection lost')
    this.hub.deliver(this, (handlers) => handlers.filled(key, etag))
  }

  async close (): Promise<void> {
    this.#subscribed = false
    this.hub.leave(this)
  }

  /** The subscriber connection drops: messages are missed until restore(). */
  cut (): void {
    if (!this.#up) return
    this.#up = false
    this.#handlers?.down()
  }

  restore (): void {
    if (this.#up) return
    this.#up = true
    this.#handlers?.up()
  }

  /** @internal */
  receive (message: (handlers: BusHandlers) => void): void {
    if (!this.connected) return
    queueMicrotask(() => { if (this.connected && this.#handlers !== undefined) message(this.#handlers) })
  }
}
