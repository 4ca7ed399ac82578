// The L1 coherence bus: Redis pub/sub carrying "key changed" (purge or update: drop your L1 copy)
// and "key filled" (the lock holder stored a fresh value: waiters, read L2 now).
// Pub/sub delivers at most once and not at all while disconnected, so the engine flushes its L1
// when the bus reconnects, and caps L1 lifetimes while the bus is down.
import { randomUUID } from 'node:crypto'
import type { RedisClient } from '../redis.js'
import type { Logger } from 'pino'

export interface BusHandlers {
  /** Another process changed `key`: drop the local copy. */
  invalidate (key: string): void
  /** Another process stored a new value of `key` in L2, with this ETag. */
  filled (key: string, etag: string): void
  /** The bus lost its connection: messages may be missed from now on. */
  down (): void
  /** The bus is back (after being down): whatever was missed meanwhile is unknown. */
  up (): void
}

export interface CacheBus {
  readonly connected: boolean
  start (): Promise<void>
  setHandlers (handlers: BusHandlers): void
  publishInvalidate (key: string): Promise<void>
  publishFilled (key: string, etag: string): Promise<void>
  close (): Promise<void>
}

export interface RedisBusOptions {
  /** A dedicated connection: a subscribed ioredis client can run nothing else. */
  subscriber: RedisClient
  /** Any command connection (the engine's). */
  publisher: RedisClient
  channel: string
  logger: Logger
}

const INVALIDATE = 'i'
const FILLED = 'f'

export class RedisBus implements CacheBus {
  readonly #subscriber: RedisClient
  readonly #publisher: RedisClient
  readonly #channel: string
  readonly #logger: Logger
  /** Our own messages come back to us; this tells them apart. */
  readonly #id = randomUUID()
  #handlers: BusHandlers | undefined
  /** start() was called: we are (or will be, after a reconnect) subscribed. */
  #started = false
  #connected = false
  #wasDown = false

  constructor ({ subscriber, publisher, channel, logger }: RedisBusOptions) {
    this.#subscriber = subscriber
    this.#publisher = publisher
    this.#channel = channel
    this.#logger = logger
    subscriber.on('message', (channelName: string, message: string) => {
      if (channelName === this.#channel) this.#receive(message)
    })
    // ioredis re-subscribes by itself after a reconnect; 'ready' follows the re-subscription.
    subscriber.on('ready', () => {
      // A connection is not a subscription: before start(), 'ready' means nothing to us.
      if (!this.#started) return
      this.#connected = true
      if (this.#wasDown) {
        this.#wasDown = false
        this.#logger.warn({ channel }, 'invalidation bus reconnected; flushing L1')
        this.#handlers?.up()
      }
    })
    subscriber.on('close', () => {
      if (!this.#connected) return
      this.#connected = false
      this.#wasDown = true
      this.#logger.warn({ channel }, 'invalidation bus disconnected')
      this.#handlers?.down()
    })
  }

  get connected (): boolean {
    return this.#connected
  }

  setHandlers (handlers: BusHandlers): void {
    this.#handlers = handlers
  }

  /** Subscribes (once); resolves once messages flow. */
  async start (): Promise<void> {
    if (this.#started) return
    this.#started = true
    await this.#subscriber.subscribe(this.#channel)
    this.#connected = true
  }

  #receive (message: string): void {
    const first = message.indexOf(' ')
    const second = message.indexOf(' ', first + 1)
    if (first <= 0 || second <= first) return
    if (message.slice(0, first) === this.#id) return
    const type = message.slice(first + 1, second)
    const rest = message.slice(second + 1)
    if (type === INVALIDATE) {
      this.#handlers?.invalidate(rest)
    } else if (type === FILLED) {
      const space = rest.indexOf(' ')
      if (space > 0) this.#handlers?.filled(rest.slice(0, space), rest.slice(space + 1))
    }
  }

  async publishInvalidate (key: string): Promise<void> {
    await this.#publisher.publish(this.#channel, `${this.#id} ${INVALIDATE} ${key}`)
  }

  // Keys and ETags hold no spaces (city ids; quoted base64url).
  async publishFilled (key: string, etag: string): Promise<void> {
    await this.#publisher.publish(this.#channel, `${this.#id} ${FILLED} ${key} ${etag}`)
  }

  async close (): Promise<void> {
    this.#connected = false
    this.#subscriber.disconnect()
  }
}
