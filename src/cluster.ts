// The primary: forks the workers, respawns a crashed one with back-off (a crash loop does not
// spin the CPU), on SIGHUP replaces them one at a time (a rolling restart: no request fails), and
// on SIGTERM/SIGINT drains every worker before exiting 0.
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from 'pino'

/** What the primary sends a worker to make it drain and exit. */
export const SHUTDOWN_MESSAGE = 'cachestack:shutdown'

/** The signal that makes the primary replace its workers one at a time: "reload", as nginx, and
 * as compose (`docker compose kill -s HUP`) and Kubernetes tooling send it. */
export const ROLLING_RESTART_SIGNAL = 'SIGHUP'

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
  /** Bound on a new worker's start in a rolling restart, fork to listening, ms; past it the new
   * worker is killed and the old one kept. @default 30_000 */
  workerStartTimeoutMs?: number
  /** Replace the workers one at a time on ROLLING_RESTART_SIGNAL (SIGHUP); false leaves the
   * signal alone. @default true */
  restartOnSignal?: boolean
}

export interface RollingRestartOutcome {
  /** Workers replaced (each by a new one that listened before the old one was drained). */
  replaced: number
  /** Why the restart stopped early (a new worker did not start, a shutdown began); unset when complete. */
  incomplete?: string
}

export interface Primary {
  /** Resolves when every first-generation worker listens. */
  readonly listening: Promise<void>
  /**
   * Replaces every worker, one at a time: forks the new one, waits until it listens, takes the old
   * one out of the round-robin, then drains it through the shutdown path (SHUTDOWN_MESSAGE, bounded
   * by shutdownTimeoutMs), so the shared port always has a listening worker and no request fails.
   * A call during a restart schedules one more pass after it (the reason for the second call may
   * be a change the first pass's early workers missed) and resolves with it.
   */
  rollingRestart (reason: string): Promise<RollingRestartOutcome>
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

/** Resolves true once the worker listens, false if it exits first or `timeoutMs` passes. */
function untilListening (worker: Worker, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (listening: boolean): void => {
      clearTimeout(timer)
      worker.off('listening', onListening)
      worker.off('exit', onExit)
      resolve(listening)
    }
    const onListening = (): void => done(true)
    const onExit = (): void => done(false)
    const timer = setTimeout(() => done(false), timeoutMs)
    worker.once('listening', onListening)
    worker.once('exit', onExit)
  })
}

/** How long a replaced worker, out of the round-robin, keeps answering normally before it drains:
 * long enough for the connections the primary handed it just before to be read and answered. */
const HANDOVER_GRACE_MS = 500

/** Resolves when the worker's IPC channel closes (it closed its servers), or after timeoutMs. */
function untilDisconnected (worker: Worker, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      worker.off('disconnect', done)
      resolve()
    }
    const timer = setTimeout(done, timeoutMs)
    worker.once('disconnect', done)
  })
}

/** Resolves once the worker has exited (at once if it already has). */
function untilExit (worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (worker.isDead()) resolve()
    else worker.once('exit', () => resolve())
  })
}

export function runPrimary (options: PrimaryOptions): Primary {
  const {
    workers, shutdownTimeoutMs, env, logger, respawnBaseDelayMs = 100, respawnMaxDelayMs = 10_000, stableAfterMs = 10_000,
    workerStartTimeoutMs = 30_000, restartOnSignal = true
  } = options
  const startedAt = new Map<number, number>()
  // Workers whose exit is intended by a rolling restart (the old ones, and a new one that failed
  // to start): not crashes, so not respawned.
  const retiring = new Set<number>()
  let crashesInARow = 0
  let stopping: Promise<void> | undefined
  let restarting: Promise<RollingRestartOutcome> | undefined
  let restartAgain = false

  const liveWorkers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead())

  const fork = (): Worker => {
    const worker = cluster.fork(env)
    startedAt.set(worker.id, Date.now())
    return worker
  }

  cluster.on('exit', (worker, code, signal) => {
    const uptime = Date.now() - (startedAt.get(worker.id) ?? Date.now())
    startedAt.delete(worker.id)
    if (stopping !== undefined) return
    if (retiring.delete(worker.id)) {
      logger.info({ workerPid: worker.process.pid, code, signal, uptimeMs: uptime }, 'worker retired by the rolling restart')
      return
    }
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
      const alive = liveWorkers()
      const exited = alive.map(untilExit)
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

  /** One worker replaced: true when the new one listens and the old one is gone. */
  const replace = async (old: Worker): Promise<boolean> => {
    // From here the old worker's exit is intended, even a crash while its successor starts:
    // the successor takes its place, so the crash handler must not fork a second one.
    retiring.add(old.id)
    const successor = fork()
    // Until it listens, the successor's exit is a failed start, not a crash to respawn.
    retiring.add(successor.id)
    if (!await untilListening(successor, workerStartTimeoutMs)) {
      retiring.delete(old.id)
      if (!successor.isDead()) successor.process.kill('SIGKILL')
      // The old one died meanwhile, its exit swallowed above: put a worker back in its place.
      if (old.isDead() && stopping === undefined) fork()
      return false
    }
    retiring.delete(successor.id)
    if (!old.isDead()) {
      if (old.isConnected()) {
        // Out of the round-robin first (Node's primary-side disconnect removes it at once, and the
        // worker closes its listening socket): a connection already handed to it lands and is
        // answered there. Only then the shutdown path, whose drain answers 503 to what still
        // arrives on kept-alive connections (nginx retries those on another connection).
        old.disconnect()
        await untilDisconnected(old, HANDOVER_GRACE_MS)
        if (old.isConnected()) old.send({ type: SHUTDOWN_MESSAGE })
      }
      const timer = setTimeout(() => {
        logger.error({ workerPid: old.process.pid, timeoutMs: shutdownTimeoutMs }, 'replaced worker did not drain in time; killing it')
        if (!old.isDead()) old.process.kill('SIGKILL')
      }, shutdownTimeoutMs)
      await untilExit(old)
      clearTimeout(timer)
    }
    return true
  }

  const restartPass = async (reason: string): Promise<RollingRestartOutcome> => {
    const generation = liveWorkers()
    logger.info({ reason, workers: generation.length }, 'rolling restart: replacing the workers one at a time')
    let replaced = 0
    for (const old of generation) {
      if (stopping !== undefined) return { replaced, incomplete: 'shutting down' }
      if (old.isDead()) continue // crashed since, and respawned by the exit handler: already new
      if (!await replace(old)) {
        const incomplete = `a new worker did not listen within ${workerStartTimeoutMs} ms; kept worker ${old.process.pid}`
        logger.error({ reason, replaced }, `rolling restart stopped: ${incomplete}`)
        return { replaced, incomplete }
      }
      replaced++
    }
    logger.info({ reason, replaced }, 'rolling restart complete')
    return { replaced }
  }

  const rollingRestart = (reason: string): Promise<RollingRestartOutcome> => {
    if (stopping !== undefined) return Promise.resolve({ replaced: 0, incomplete: 'shutting down' })
    if (restarting !== undefined) {
      restartAgain = true // coalesced: the running restart makes one more pass
      return restarting
    }
    restarting = (async () => {
      let outcome: RollingRestartOutcome
      do {
        restartAgain = false
        outcome = await restartPass(reason)
      } while (restartAgain && outcome.incomplete === undefined)
      return outcome
    })().finally(() => { restarting = undefined })
    return restarting
  }

  if (restartOnSignal) {
    process.on(ROLLING_RESTART_SIGNAL, () => {
      rollingRestart(ROLLING_RESTART_SIGNAL).catch((err: unknown) => logger.error({ err }, 'rolling restart failed'))
    })
  }

  return { listening, rollingRestart, shutdown }
}
