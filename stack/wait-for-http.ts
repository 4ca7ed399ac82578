// Readiness by polling HTTP, bounded in time, failing fast (with the child's last output) when
// the process behind the URL has already exited.
import type { ManagedProcess } from './managed-process.js'

export interface WaitForHttpOptions {
  /** @default 30_000 */
  timeoutMs?: number
  /** @default 50 */
  intervalMs?: number
  /** The process expected to answer; its exit ends the wait at once. */
  process?: ManagedProcess
  /** Gives up at once (Ctrl-C during start). */
  signal?: AbortSignal
  /** The statuses that count as an answer. @default any 2xx */
  accept?: (status: number) => boolean
  /** Whether the accepted answer's body says ready too (e.g. a metric's value). @default any body */
  acceptBody?: (body: string) => boolean
}

export async function waitForHttp (
  url: string,
  { timeoutMs = 30_000, intervalMs = 50, process: child, signal, accept = (status) => status >= 200 && status < 300, acceptBody }: WaitForHttpOptions = {}
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    signal?.throwIfAborted()
    if (child !== undefined && !child.running()) {
      throw new Error(`${child.name} exited (code ${child.child.exitCode ?? child.child.signalCode}) before ${url} answered. ` +
        `Its last output:\n${child.outputTail().trim() || '(none)'}`)
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(Math.min(2000, Math.max(100, deadline - Date.now()))) })
      const body = await response.text()
      if (accept(response.status) && (acceptBody === undefined || acceptBody(body))) return
      last = accept(response.status) ? `HTTP ${response.status}, not the expected body` : `HTTP ${response.status}`
    } catch (err) {
      last = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  const output = child === undefined ? '' : ` Last output of ${child.name}:\n${child.outputTail().trim() || '(none)'}`
  throw new Error(`${url} did not answer as expected within ${timeoutMs} ms (last: ${last}).${output}`)
}
