// Waiting for another process's fill (the cluster-wide single-flight's other side): the lock is
// held elsewhere, so read L2 when the holder says it stored the value ("filled" on the bus), or
// after a short poll period should that message be lost, until the value is there, the holder
// gives up, or the wait's bound passes — then load ourselves.
import type { CacheEvents } from './cache-events.js'
import type { Clock } from './clock.js'
import type { RedisHit } from './redis-store.js'
import type { SharedTier } from './shared-tier.js'

/** Wake-ups by key: the bus's "filled" (or "invalidate") message wakes every waiter of a key. */
export class FillSignals {
  readonly #waiters = new Map<string, Set<() => void>>()

  /** Resolves when `wake(key)` is called, or after `ms`: a lost message costs a poll, never a hang. */
  wait (key: string, ms: number): Promise<void> {
    return new Promise(resolve => {
      let waiters = this.#waiters.get(key)
      if (waiters === undefined) this.#waiters.set(key, waiters = new Set())
      const set = waiters
      const wake = (): void => {
        clearTimeout(timer)
        set.delete(wake)
        if (set.size === 0 && this.#waiters.get(key) === set) this.#waiters.delete(key)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      set.add(wake)
    })
  }

  wake (key: string): void {
    const waiters = this.#waiters.get(key)
    if (waiters !== undefined) for (const wake of [...waiters]) wake()
  }
}

export interface FillWaitOptions {
  shared: SharedTier
  signals: FillSignals
  clock: Clock
  /** Longest wait, ms. */
  waitMs: number
  /** L2 poll period while the bus is down, ms (four times longer while it is up: the bus wakes us first). */
  pollMs: number
  events: CacheEvents
}

/** filled: the holder's value; released: the holder gave up without one; timeout: too slow;
 * error: L2 failed (or its breaker is open) while waiting. */
export type FillWaitResult =
  | { readonly outcome: 'filled', readonly hit: RedisHit, readonly waitedMs: number }
  | { readonly outcome: 'released' | 'timeout' | 'error' }

export async function waitForFill (key: string, { shared, signals, clock, waitMs, pollMs, events }: FillWaitOptions): Promise<FillWaitResult> {
  const started = clock.now()
  const deadline = started + waitMs
  for (;;) {
    const left = deadline - clock.now()
    if (left <= 0) {
      events.lockWait('timeout')
      return { outcome: 'timeout' }
    }
    await signals.wait(key, Math.min(left, shared.bus?.connected === true ? pollMs * 4 : pollMs))
    const poll = await shared.pollFill(key)
    if (poll.state === 'filled') {
      events.lockWait('filled')
      return { outcome: 'filled', hit: poll.hit, waitedMs: clock.now() - started }
    }
    if (poll.state === 'released') {
      events.lockWait('released')
      return { outcome: 'released' }
    }
    if (poll.state === 'unavailable') return { outcome: 'error' }
  }
}
