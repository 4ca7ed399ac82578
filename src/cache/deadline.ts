import { DeadlineExceededError } from '../errors.js'

/**
 * Bounds a wait on the request path regardless of what the client library does underneath
 * (a Redis Cluster client may keep re-queueing a command during a failover): past `ms`, it
 * rejects with the catalogue's CS_ERR_DEADLINE. The late settlement of `promise` is ignored.
 */
export function withDeadline<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(what, ms)), ms)
  })
  promise.catch(() => {}) // settled after the deadline: nobody is listening any more
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
