// How the engine's fill waits (another process holds the key's lock) started and ended while a
// test's body ran, read from the traced channel: the behaviour under test is how each wait
// ended — 'filled', 'released' or 'timeout' — not how long it took.
import { traces, type FillWaitTrace } from '../../src/cache/tracing.js'

export type FillWaitOutcome = FillWaitTrace['outcome']

/** Runs `body` with the fill waits watched: `started()` counts the ones begun so far; `outcomes`,
 * in the order they ended. */
export async function watchFillWaits<T> (body: (started: () => number) => Promise<T>): Promise<{ result: T, outcomes: FillWaitOutcome[] }> {
  let started = 0
  const outcomes: FillWaitOutcome[] = []
  const handlers = {
    start: (): void => { started++ },
    asyncEnd: (context: unknown): void => { outcomes.push((context as FillWaitTrace).outcome) }
  }
  traces.fillWait.subscribe(handlers as never)
  try {
    return { result: await body(() => started), outcomes }
  } finally {
    traces.fillWait.unsubscribe(handlers as never)
  }
}
