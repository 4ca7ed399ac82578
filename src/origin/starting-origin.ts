// `npm start` forks the workers while the embedded provider starts, on the port it will listen on
// (ORIGIN_PORT), instead of after: the first /health comes a provider start sooner. Until the
// primary says the provider listens, a worker's origin calls wait for it — bounded by the origin
// timeout — instead of failing with a refused connection.
import { OriginUnavailableError } from '../errors.js'
import type { OriginWeather } from './server.js'
import type { OriginClient } from './client.js'

/** Set in a worker's environment while the embedded provider starts. */
export const ORIGIN_STARTING_ENV = 'CACHESTACK_ORIGIN_STARTING'
/** Primary → workers: the embedded provider listens. */
export const ORIGIN_READY_MESSAGE = 'cachestack:origin:ready'
/** Worker → primary: has it started yet? (A worker that began listening after the broadcast asks.) */
export const ORIGIN_READY_QUERY = 'cachestack:origin:ready?'

interface MessagePort {
  on (event: 'message', listener: (message: unknown) => void): unknown
  off (event: 'message', listener: (message: unknown) => void): unknown
  send?: (message: unknown) => unknown
}

/** Worker side: resolves when the primary says the provider listens. */
export function originReadySignal (port: MessagePort): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      if ((message as { type?: string } | null)?.type !== ORIGIN_READY_MESSAGE) return
      port.off('message', onMessage)
      resolve()
    }
    port.on('message', onMessage)
    port.send?.({ type: ORIGIN_READY_QUERY })
  })
}

/** An origin client whose calls wait (at most `timeoutMs`) for the provider to be up. */
export class StartingOriginClient implements OriginClient {
  readonly #inner: OriginClient
  #ready: Promise<void> | undefined
  readonly #timeoutMs: number

  constructor (inner: OriginClient, ready: Promise<void>, timeoutMs: number) {
    this.#inner = inner
    this.#timeoutMs = timeoutMs
    this.#ready = ready
    // Once up, calls go straight through.
    ready.then(() => { this.#ready = undefined }, () => {})
  }

  fetchWeather (cityId: number): Promise<OriginWeather> {
    const ready = this.#ready
    if (ready === undefined) return this.#inner.fetchWeather(cityId)
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new OriginUnavailableError(`the embedded provider has not started within ${this.#timeoutMs} ms`)), this.#timeoutMs)
    })
    return Promise.race([ready, bound]).finally(() => clearTimeout(timer)).then(() => this.#inner.fetchWeather(cityId))
  }

  close (): Promise<void> {
    return this.#inner.close()
  }
}
