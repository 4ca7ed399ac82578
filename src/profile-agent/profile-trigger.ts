// Profiling on demand in a running worker, controlled through files in the profile directory:
// the driver creates `<label>.start`, later `<label>.stop`; the worker removes each as it acts.
// Files rather than a signal: SIGUSR1 is Node's own (it opens the inspector) and SIGUSR2 is
// one of close-with-grace's shutdown signals, so a signal would stop the worker it profiles.
// Armed, a worker holds one inotify watch and nothing else until a control file appears.
import { existsSync, mkdirSync, rmSync, watch, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ProfilerOptions } from './profiler-options.js'
import { startProfiling, type ProfilingSession } from './worker-profiler.js'

export const ARMED_SUFFIX = '.armed.json'
/** Written once a session records: the load can start. */
export const RECORDING_SUFFIX = '.recording.json'
export const START_SUFFIX = '.start'
export const STOP_SUFFIX = '.stop'

export interface ArmedWorker {
  /** Stops watching (a running session is stopped and written). */
  disarm (): Promise<void>
}

export interface ArmOptions {
  options: Readonly<ProfilerOptions>
  /** Told about failures; a profiler must never take the worker down. @default stderr */
  onError?: (err: unknown) => void
  workerId?: number
}

/** Watches the profile directory and writes `<label>.armed.json` so a driver knows who listens. */
export function armProfiling ({ options, onError = (err) => process.stderr.write(`cachestack profile: ${String(err)}\n`), workerId }: ArmOptions): ArmedWorker {
  const base = join(options.outDir, options.label)
  let current: ProfilingSession | undefined
  let starting = false
  const start = (): void => {
    if (starting || current !== undefined) return
    starting = true
    startProfiling(options).then((session) => {
      current = session
      // Stopped by a stop file or by its deadline: the next start file starts a new session.
      session.finished.then(() => {}, onError).finally(() => { if (current === session) current = undefined })
      return writeFile(base + RECORDING_SUFFIX, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }))
    }).catch(onError).finally(() => {
      starting = false
      // A stop that came while the session was starting.
      if (existsSync(base + STOP_SUFFIX)) check()
    })
  }
  const take = (suffix: string): boolean => {
    if (!existsSync(base + suffix)) return false
    rmSync(base + suffix, { force: true })
    return true
  }
  const check = (): void => {
    try {
      if (take(START_SUFFIX)) start()
      if (!starting && current !== undefined && take(STOP_SUFFIX)) current.stop().catch(onError)
    } catch (err) {
      onError(err)
    }
  }
  mkdirSync(options.outDir, { recursive: true })
  const watcher = watch(options.outDir, (_event, name) => {
    if (name === options.label + START_SUFFIX || name === options.label + STOP_SUFFIX) check()
  })
  watcher.on('error', onError)
  // The watch must never be what keeps a draining worker alive.
  watcher.unref()
  writeFileSync(base + ARMED_SUFFIX, JSON.stringify({ pid: process.pid, workerId, label: options.label }))
  return {
    async disarm () {
      watcher.close()
      rmSync(base + ARMED_SUFFIX, { force: true })
      if (current !== undefined) await current.stop()
    }
  }
}
