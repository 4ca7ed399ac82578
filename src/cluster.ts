// The primary: forks the workers, respawns a crashed one with back-off (a crash loop does not
// spin the CPU), and on SIGTERM/SIGINT drains every worker before exiting 0.
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from 'pino'

/** What the primary sends a worker to make it drain and exit. */
export const SHUTDOWN_MESSAGE = 'cachestack:shutdown'

export interface PrimaryOptions {
  workers: number
  shutdownTimeoutMs: number
  /** Extra environment for the workers (e.g. the embedded origin's URL). */
  env: Record<string, string>
  logger: Logger
  /** First respawn delay, doubled per crash in a row. @default 100 */
  respawnBaseDelayMs?: number
  /** @default 10_000 */
  respawnMaxDelayMs?: number
  /** A worker up this long resets the back-off. @default 10_000 */
  stableAfterMs?: number
  /** Runs after every worker has exited, before the process exits. */
  onStopped?: () => Promise<void> | void
}

export interface Primary {
  /** Resolves when every first-generation worker listens. */
  readonly listening: Promise<void>
  shutdown (reason: string): Promise<void>
}

/**
 * Crash-loop back-off: the delay before respawning, doubled per crash in a row, capped. A worker
 * that lived `stableAfterMs` starts the count afresh.
 */
export function nextRespawn (
  crashesInARow: number,
  uptimeMs: number,
  { baseMs, maxMs, stableAfterMs }: { baseMs: number, maxMs: number, stableAfterMs: number }
): { crashesInARow: number, delayMs: number } {
  const crashes = uptimeMs >= stableAfterMs ? 1 : crashesInARow + 1
  return { crashesInARow: crashes, delayMs: Math.min(baseMs * 2 ** (crashes - 1), maxMs) }
}

export function runPrimary (options: PrimaryOptions): Primary {
  const { workers, shutdownTimeoutMs, env, logger, respawnBaseDelayMs = 100, respawnMaxDelayMs = 10_000, stableAfterMs = 10_000 } = options
  const startedAt = new Map<number, number>()
  let crashesInARow = 0
  let stopping: Promise<void> | undefined

  const fork = (): Worker => {
    const worker = cluster.fork(env)
    startedAt.set(worker.id, Date.now())
    return worker
  }

  cluster.on('exit', (worker, code, signal) => {
    const uptime = Date.now() - (startedAt.get(worker.id) ?? Date.now())
    startedAt.delete(worker.id)
    if (stopping !== undefined) return
    const next = nextRespawn(crashesInARow, uptime, { baseMs: respawnBaseDelayMs, maxMs: respawnMaxDelayMs, stableAfterMs })
    crashesInARow = next.crashesInARow
    const delay = next.delayMs
    logger.error({ workerPid: worker.process.pid, code, signal, uptimeMs: uptime, respawnInMs: delay }, 'worker exited; respawning')
    setTimeout(() => { if (stopping === undefined) fork() }, delay).unref()
  })

  const first = Array.from({ length: workers }, fork)
  const listening = Promise.all(first.map(worker => new Promise<void>((resolve, reject) => {
    worker.once('listening', () => resolve())
    worker.once('exit', (code) => reject(new Error(`worker ${worker.process.pid} exited with code ${code} before listening`)))
  }))).then(() => {})

  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down: draining workers')
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead())
      const exited = alive.map(worker => new Promise<void>(resolve => {
        if (worker.isDead()) resolve()
        else worker.once('exit', () => resolve())
      }))
      for (const worker of alive) if (worker.isConnected()) worker.send({ type: SHUTDOWN_MESSAGE })
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: shutdownTimeoutMs }, 'workers did not drain in time; killing them')
        for (const worker of alive) if (!worker.isDead()) worker.process.kill('SIGKILL')
      }, shutdownTimeoutMs)
      await Promise.all(exited)
      clearTimeout(timer)
      await options.onStopped?.()
      logger.info('all workers stopped')
    })()
    return stopping
  }

  return { listening, shutdown }
}
