/** Thrown when a dependency did not settle in time. */
export class DeadlineError extends Error {
  readonly code = 'CS_ERR_DEADLINE'
  constructor (what: string, ms: number) {
    super(`${what} did not settle within ${ms} ms`)
  }
}

/**
 * Bounds a wait on the request path regardless of what the client library does underneath
 * (a Redis Cluster client may keep re-queueing a command during a failover). The late
 * settlement of `promise` is ignored.
 */
export function withDeadline<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms)
  })
  promise.catch(() => {}) // settled after the deadline: nobody is listening any more
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
