// Profiling on demand in a running worker: SIGUSR2 starts a session, the next SIGUSR2 stops it
// and writes the files. (SIGUSR1 is Node's own: it opens the inspector port.) Armed, a worker
// pays for one signal listener and nothing else until the signal comes.
import { writeFile } from 'node:fs/promises'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { ProfilerOptions } from './profiler-options.js'
import { startProfiling, type ProfilingSession } from './worker-profiler.js'

export const PROFILE_SIGNAL = 'SIGUSR2'
export const ARMED_SUFFIX = '.armed.json'
/** Written once a session records: the load can start. */
export const RECORDING_SUFFIX = '.recording.json'

export interface ArmedWorker {
  /** Removes the signal listener (a running session is stopped and written). */
  disarm (): Promise<void>
}

export interface ArmOptions {
  options: Readonly<ProfilerOptions>
  /** Told about failures; a profiler must never take the worker down. @default stderr */
  onError?: (err: unknown) => void
  workerId?: number
}

/** Installs the signal toggle and writes `<label>.armed.json` so a driver knows which pid to signal. */
export function armProfiling ({ options, onError = (err) => process.stderr.write(`cachestack profile: ${String(err)}\n`), workerId }: ArmOptions): ArmedWorker {
  let current: ProfilingSession | undefined
  let starting = false
  const toggle = (): void => {
    if (starting) return
    if (current !== undefined) {
      current.stop().catch(onError)
      return
    }
    starting = true
    startProfiling(options).then((session) => {
      current = session
      // Stopped by stop() or by its deadline: the next signal starts a new session.
      session.finished.then(() => {}, onError).finally(() => { if (current === session) current = undefined })
      return writeFile(join(options.outDir, options.label + RECORDING_SUFFIX), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }))
    }).catch(onError).finally(() => { starting = false })
  }
  process.on(PROFILE_SIGNAL, toggle)
  mkdirSync(options.outDir, { recursive: true })
  writeFile(join(options.outDir, options.label + ARMED_SUFFIX), JSON.stringify({ pid: process.pid, workerId, label: options.label, signal: PROFILE_SIGNAL })).catch(onError)
  return {
    async disarm () {
      process.off(PROFILE_SIGNAL, toggle)
      if (current !== undefined) await current.stop()
    }
  }
}
