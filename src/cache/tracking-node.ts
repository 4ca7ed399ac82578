// One Redis server's share of server-assisted client-side caching (CLIENT TRACKING in broadcast
// mode, https://redis.io/docs/latest/develop/reference/client-side-caching/): the engine's command
// connection to that server tracks the key prefix, and a connection of our own receives.
//
// What the protocol leaves to the client, and how it is done here:
// - The redirect form (RESP2). ioredis 6 speaks RESP3 by default, and a RESP3 redirect target gets
//   invalidations as `invalidate` push frames, which ioredis drops; so the receiver is a RESP2
//   connection subscribed to __redis__:invalidate, and needs its CLIENT ID before it subscribes
//   (a subscribed RESP2 connection runs nothing else): no auto-resubscribe, ID then SUBSCRIBE on
//   every (re)connection.
// - Tracking belongs to a connection: a reconnect of either one loses it (a new command connection
//   tracks nothing; a new receiver has a new id). Either close disarms; both ready re-arms.
// - Our own writes: NOLOOP. The server leaves out the writes of the tracking connection itself,
//   which is the one the engine writes through, so a fill never evicts the copy it just stored,
//   while every other connection's write — another worker's, redis-cli's — still comes through.
//   Within one event-loop turn the server credits a key to its last writer: when our SET
//   overwrote someone else's, nothing is reported to us, and our copy is what L2 holds.
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'

/** The channel Redis publishes invalidations on for a RESP2 redirect target. */
export const INVALIDATE_CHANNEL = '__redis__:invalidate'

export interface NodeTrackerOptions {
  /** The engine's command connection to this server (on a Cluster, one master's). */
  command: Redis
  /** The BCAST prefix: every key under it is reported. */
  prefix: string
  /** Keys written (each a Buffer), or null when the server flushed its database (FLUSHALL, FLUSHDB). */
  onInvalidate: (keys: readonly Buffer[] | null) => void
  /** Armed or disarmed since the last call: the bus re-reads `armed`. */
  onChange: () => void
  logger: Logger
  /** First pause before arming again after a failed attempt, ms; doubles up to 5 s. */
  retryMs: number
}

const CHANNEL = Buffer.from(INVALIDATE_CHANNEL)
const MAX_RETRY_MS = 5000
const reconnect = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 6), 2000)

export class NodeTracker {
  readonly command: Redis
  readonly #receiver: Redis
  readonly #prefix: string
  readonly #onInvalidate: NodeTrackerOptions['onInvalidate']
  readonly #onChange: () => void
  readonly #logger: Logger
  readonly #retryMs: number
  /** The receiver's id on its current connection; undefined until it has subscribed. */
  #receiverId: number | undefined
  /** Bumped when a connection closes: an answer from before it is about a dead connection. */
  #commandEpoch = 0
  #receiverEpoch = 0
  #armed = false
  #arming = false
  #closed = false
  #failures = 0
  #retry: NodeJS.Timeout | undefined
  #lastError = ''
  readonly #commandReady = (): void => this.#arm()
  readonly #commandClosed = (): void => {
    this.#commandEpoch++
    this.#disarm()
  }

  constructor ({ command, prefix, onInvalidate, onChange, logger, retryMs }: NodeTrackerOptions) {
    this.command = command
    this.#prefix = prefix
    this.#onInvalidate = onInvalidate
    this.#onChange = onChange
    this.#logger = logger
    this.#retryMs = retryMs
    this.#receiver = command.duplicate({
      protocol: 2,
      autoResubscribe: false,
      // Off the request path: it may wait for its connection; it reconnects on its own (a Cluster's
      // node connections do not).
      enableOfflineQueue: true,
      enableAutoPipelining: false,
      lazyConnect: true,
      readOnly: false,
      retryStrategy: reconnect,
      connectionName: 'cachestack-tracking'
    })
    this.#receiver.on('error', (err: Error) => this.#warn(err, 'tracking receiver error'))
    this.#receiver.on('ready', () => { void this.#subscribe() })
    this.#receiver.on('close', () => {
      this.#receiverEpoch++
      this.#receiverId = undefined
      this.#disarm()
    })
    this.#receiver.on('messageBuffer', (channel: Buffer, payload: unknown) => {
      // RESP2 invalidation: an array of keys, or a null for a flush of the whole database.
      if (!CHANNEL.equals(channel)) return
      if (payload === null) this.#onInvalidate(null)
      else if (Array.isArray(payload)) this.#onInvalidate(payload as Buffer[])
    })
  }

  /** Tracking is on, redirected to a live, subscribed receiver: every write under the prefix reaches us. */
  get armed (): boolean {
    return this.#armed
  }

  start (): void {
    this.command.on('ready', this.#commandReady)
    this.command.on('close', this.#commandClosed)
    this.#receiver.connect().catch(() => {}) // failures reach 'error', and it retries by itself
    this.#arm()
  }

  /** Stops receiving; turns tracking off on a command connection that stays open. */
  close (): void {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#retry)
    this.command.off('ready', this.#commandReady)
    this.command.off('close', this.#commandClosed)
    this.#receiver.disconnect()
    // Without it the server would go on computing invalidations for a receiver that is gone.
    if (this.#armed && this.command.status === 'ready') this.command.call('CLIENT', 'TRACKING', 'OFF').catch(() => {})
    this.#armed = false
  }

  async #subscribe (): Promise<void> {
    const epoch = this.#receiverEpoch
    try {
      const id = await this.#receiver.client('ID')
      await this.#receiver.subscribe(INVALIDATE_CHANNEL)
      if (epoch !== this.#receiverEpoch || this.#closed) return
      this.#receiverId = Number(id)
      this.#arm()
    } catch (err) {
      if (epoch !== this.#receiverEpoch || this.#closed) return
      this.#warn(err as Error, 'tracking receiver could not subscribe; reconnecting it')
      this.#receiver.disconnect(true)
    }
  }

  #arm (): void {
    if (this.#closed || this.#armed || this.#arming || this.#receiverId === undefined) return
    const command = this.command
    if (command.status !== 'ready') {
      // A Cluster's node connections connect lazily, on their first command.
      if (command.status === 'wait') command.connect().catch(() => {})
      return
    }
    this.#arming = true
    const epochs = this.#commandEpoch + ':' + this.#receiverEpoch
    // OFF first: a connection still tracking for a receiver that reconnected cannot take the same
    // prefix twice (the server refuses overlapping prefixes).
    command.multi()
      .call('CLIENT', 'TRACKING', 'OFF')
      .call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(this.#receiverId), 'BCAST', 'PREFIX', this.#prefix, 'NOLOOP')
      .exec()
      .then((replies) => {
        const failed = replies?.find(([err]) => err !== null)?.[0]
        if (replies === null || failed !== undefined) throw failed ?? new Error('CLIENT TRACKING transaction aborted')
      })
      .then(() => {
        this.#arming = false
        if (this.#closed) return
        // A connection dropped while we armed: what we armed is gone with it.
        if (epochs !== this.#commandEpoch + ':' + this.#receiverEpoch) return this.#arm()
        this.#armed = true
        this.#failures = 0
        this.#lastError = ''
        this.#onChange()
      }, (err: unknown) => {
        this.#arming = false
        if (this.#closed) return
        this.#warn(err as Error, 'CLIENT TRACKING failed; retrying')
        this.#scheduleRetry()
      })
  }

  #scheduleRetry (): void {
    if (this.#retry !== undefined) return
    const delay = Math.min(this.#retryMs * 2 ** Math.min(this.#failures++, 10), MAX_RETRY_MS)
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      this.#arm()
    }, delay)
    this.#retry.unref()
  }

  #disarm (): void {
    if (!this.#armed) return
    this.#armed = false
    this.#onChange()
  }

  #warn (err: Error, message: string): void {
    // Each reconnect attempt fails again: log a failure once, not once per attempt.
    if (err.message === this.#lastError) return
    this.#lastError = err.message
    this.#logger.warn({ err, node: `${this.command.options.host ?? ''}:${this.command.options.port ?? ''}` }, message)
  }
}
