// Stops paying a dead dependency's timeout on every request: after `failureThreshold`
// consecutive failures the circuit opens; after `resetTimeoutMs` one probe is let through
// (half-open); its success closes the circuit, its failure opens it again.
import type { Clock } from './clock.js'

export type BreakerState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
  failureThreshold: number
  resetTimeoutMs: number
  clock: Clock
  onStateChange?: (state: BreakerState) => void
}

export class CircuitBreaker {
  #state: BreakerState = 'closed'
  #failures = 0
  #openedAt = 0
  #probing = false
  readonly #options: CircuitBreakerOptions

  constructor (options: CircuitBreakerOptions) {
    if (!(options.failureThreshold >= 1)) throw new TypeError(`expected failureThreshold >= 1, got ${options.failureThreshold}`)
    this.#options = options
  }

  get state (): BreakerState {
    return this.#state
  }

  /** Whether a call may go to the dependency now. In half-open, only one probe at a time. */
  allows (): boolean {
    if (this.#state === 'closed') return true
    if (this.#state === 'open') {
      if (this.#options.clock.now() - this.#openedAt < this.#options.resetTimeoutMs) return false
      this.#transition('half-open')
    }
    if (this.#probing) return false
    this.#probing = true
    return true
  }

  success (): void {
    this.#failures = 0
    this.#probing = false
    if (this.#state !== 'closed') this.#transition('closed')
  }

  failure (): void {
    this.#probing = false
    this.#failures++
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= this.#options.failureThreshold)) {
      this.#openedAt = this.#options.clock.now()
      this.#transition('open')
    }
  }

  #transition (state: BreakerState): void {
    this.#state = state
    this.#options.onStateChange?.(state)
  }
}
