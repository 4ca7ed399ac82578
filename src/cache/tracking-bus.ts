// L1_INVALIDATION=tracking: the coherence bus without messages of our own. Redis reports every
// write under the key prefix (CLIENT TRACKING … BCAST PREFIX, tracking-node.ts), whoever made it —
// another worker's fill or purge, redis-cli by hand, another service — and each report drops the
// L1 copy, as an "invalidate" on the pub/sub bus would.
//
// Differences from the pub/sub bus (invalidation-bus.ts), measured in docs/scaling.md:
// - publishInvalidate and publishFilled send nothing: the L2 write is the message. A purge's DEL
//   reaches every other process by itself; a fill's SET both drops the other copies and wakes the
//   processes waiting for the fill lock.
// - A report carries no value, so a copy of the very bytes just stored elsewhere is dropped too
//   (the pub/sub "filled" keeps it by ETag): one extra L2 read per process that holds the key.
// - Expiry and eviction in Redis are writes too: their reports drop copies L1 may have kept.
// - One Redis server tracks only its own keys: on a Cluster, every master's command connection
//   tracks, each with a receiver on that master; the set follows the topology (+node, -node,
//   refresh), and while a master is not armed the topology is refreshed every second.
// As with the pub/sub bus, the engine flushes L1 when the bus comes back ("up") and caps L1
// lifetimes while it is down; here "down" is any tracked server's connection lost.
import type { Cluster, Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { RedisClient } from '../redis.js'
import type { BusHandlers, CacheBus } from './invalidation-bus.js'
import { NodeTracker } from './tracking-node.js'

export interface TrackingBusOptions {
  /** The engine's command connection (one node, Sentinel or Cluster): tracking is switched on on
   * it — on each master's connection of a Cluster — so that NOLOOP leaves out our own writes. */
  redis: RedisClient
  /** Prefix of every key the engine keeps in L2 (`weather:v1:`): the broadcast prefix. */
  keyPrefix: string
  /** Keys under the prefix that are not cached values (the fill locks): their reports are ignored. @default [] */
  ignoredPrefixes?: readonly string[]
  logger: Logger
  /** First pause before arming a server again after a failure, ms. @default 200 */
  retryMs?: number
  /** While a Cluster master is not armed, the topology is refreshed this often, ms. @default 1000 */
  topologyRefreshMs?: number
}

const RESOLVED = Promise.resolve()

export class TrackingBus implements CacheBus {
  readonly #redis: RedisClient
  readonly #keyPrefix: string
  readonly #ignored: readonly string[]
  readonly #logger: Logger
  readonly #retryMs: number
  readonly #topologyRefreshMs: number
  readonly #nodes = new Map<Redis, NodeTracker>()
  #handlers: BusHandlers | undefined
  #started = false
  #closed = false
  #connected = false
  #wasDown = false
  #startWaiters: Array<() => void> = []
  #topologyTimer: NodeJS.Timeout | undefined
  readonly #sync = (): void => this.#syncNodes()
  readonly #change = (): void => this.#update()
  readonly #invalidate = (keys: readonly Buffer[] | null): void => this.#receive(keys)

  constructor ({ redis, keyPrefix, ignoredPrefixes = [], logger, retryMs = 200, topologyRefreshMs = 1000 }: TrackingBusOptions) {
    if (typeof keyPrefix !== 'string' || keyPrefix.length === 0) {
      throw new TypeError(`expected options.keyPrefix to be a non-empty string, got ${String(keyPrefix)}`)
    }
    if (!(retryMs > 0)) throw new TypeError(`expected options.retryMs > 0, got ${retryMs}`)
    if (!(topologyRefreshMs > 0)) throw new TypeError(`expected options.topologyRefreshMs > 0, got ${topologyRefreshMs}`)
    this.#redis = redis
    this.#keyPrefix = keyPrefix
    this.#ignored = [...ignoredPrefixes]
    this.#logger = logger
    this.#retryMs = retryMs
    this.#topologyRefreshMs = topologyRefreshMs
  }

  /** Every tracked server armed: no write under the prefix goes unreported. */
  get connected (): boolean {
    return this.#connected
  }

  setHandlers (handlers: BusHandlers): void {
    this.#handlers = handlers
  }

  /** Arms every server (once); resolves once all of them report. */
  async start (): Promise<void> {
    if (this.#closed) return
    if (!this.#started) {
      this.#started = true
      if (this.#redis.isCluster) {
        const cluster = this.#redis as Cluster
        for (const event of ['+node', '-node', 'refresh', 'ready']) cluster.on(event, this.#sync)
      }
      this.#syncNodes()
    }
    if (this.#connected) return
    await new Promise<void>((resolve) => this.#startWaiters.push(resolve))
  }

  // The write is the message: Redis reports it to every other tracking connection by itself.
  publishInvalidate (): Promise<void> {
    return RESOLVED
  }

  publishFilled (): Promise<void> {
    return RESOLVED
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#connected = false
    clearInterval(this.#topologyTimer)
    if (this.#redis.isCluster) {
      const cluster = this.#redis as Cluster
      for (const event of ['+node', '-node', 'refresh', 'ready']) cluster.off(event, this.#sync)
    }
    for (const node of this.#nodes.values()) node.close()
    this.#nodes.clear()
    for (const resolve of this.#startWaiters.splice(0)) resolve()
  }

  /** The servers to track: the one node, or the Cluster's masters as ioredis sees them now. */
  #syncNodes (): void {
    if (!this.#started || this.#closed) return
    const wanted = this.#redis.isCluster ? (this.#redis as Cluster).nodes('master') : [this.#redis as Redis]
    for (const command of wanted) {
      if (this.#nodes.has(command)) continue
      const node = new NodeTracker({
        command,
        prefix: this.#keyPrefix,
        onInvalidate: this.#invalidate,
        onChange: this.#change,
        logger: this.#logger,
        retryMs: this.#retryMs
      })
      this.#nodes.set(command, node)
      node.start()
    }
    for (const [command, node] of this.#nodes) {
      if (wanted.includes(command)) continue
      node.close()
      this.#nodes.delete(command)
    }
    this.#update()
  }

  #update (): void {
    if (this.#closed) return
    let armed = this.#nodes.size > 0
    for (const node of this.#nodes.values()) {
      if (!node.armed) {
        armed = false
        break
      }
    }
    if (armed && this.#redis.isCluster) armed = this.#coversEverySlot()
    if (armed && !this.#connected) {
      this.#connected = true
      clearInterval(this.#topologyTimer)
      this.#topologyTimer = undefined
      if (this.#wasDown) {
        this.#wasDown = false
        this.#logger.warn({ prefix: this.#keyPrefix, servers: this.#nodes.size }, 'client tracking re-armed; flushing L1')
        this.#handlers?.up()
      }
      for (const resolve of this.#startWaiters.splice(0)) resolve()
    } else if (!armed && this.#connected) {
      this.#connected = false
      this.#wasDown = true
      this.#logger.warn({ prefix: this.#keyPrefix }, 'client tracking lost on a connection; writes may go unreported until it is re-armed')
      this.#handlers?.down()
    }
    // A Cluster's master that failed over is replaced only when ioredis refreshes its topology,
    // which otherwise waits for a command to fail — and L1 hits send none.
    if (!armed && this.#wasDown && this.#redis.isCluster && this.#topologyTimer === undefined) {
      this.#topologyTimer = setInterval(() => (this.#redis as Cluster).refreshSlotsCache(), this.#topologyRefreshMs)
      this.#topologyTimer.unref()
    }
  }

  /**
   * Every slot's master is tracked and armed. Not the same as "every tracker armed": after a master
   * dies, ioredis drops its connection while its slots still point at it until a replica takes
   * over; the bus must stay down until then, not come up (and flush L1) in between.
   */
  #coversEverySlot (): boolean {
    const armed = new Set<string>()
    for (const node of this.#nodes.values()) if (node.armed) armed.add(`${node.command.options.host ?? ''}:${node.command.options.port ?? ''}`)
    const seen = new Set<string>()
    for (const owners of (this.#redis as Cluster).slots) {
      const master = owners?.[0]
      if (master === undefined || seen.has(master)) continue
      if (!armed.has(master)) return false
      seen.add(master)
    }
    return seen.size > 0
  }

  #receive (keys: readonly Buffer[] | null): void {
    if (keys === null) {
      // FLUSHALL or FLUSHDB: every copy may be gone from L2. `up` is the engine's "forget all";
      // while some server is still unarmed the bus stays down (L1 lifetimes stay capped).
      this.#handlers?.up()
      if (!this.#connected && this.#wasDown) this.#handlers?.down()
      return
    }
    const prefix = this.#keyPrefix
    for (const raw of keys) {
      const key = raw.toString()
      if (!key.startsWith(prefix) || this.#isIgnored(key)) continue
      this.#handlers?.invalidate(key.slice(prefix.length))
    }
  }

  #isIgnored (key: string): boolean {
    for (const ignored of this.#ignored) if (key.startsWith(ignored)) return true
    return false
  }
}
