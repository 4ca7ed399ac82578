// Profiling on demand in a running worker, controlled through files in the profile directory:
// the driver creates `<label>.start`, later `<label>.stop`; the worker removes each as it acts.
// Files rather than a signal: SIGUSR1 is Node's own (it opens the inspector) and SIGUSR2 is
// one of close-with-grace's shutdown signals, so a signal would stop the worker it profiles.
// Armed, a worker holds one inotify watch and nothing else until a control file appears.
// The profiled worker is armed for a full profile; the app's other workers for memory over time
// only (`<label>.memory-armed.json`), so one run can show every worker's memory.
import { existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { HeapDeltaRecorder } from './heap-delta.js'
import { startMemorySampling } from './memory-session.js'
import type { ProfilerOptions } from './profiler-options.js'
import { startProfiling } from './worker-profiler.js'

export const ARMED_SUFFIX = '.armed.json'
/** A worker armed for memory sampling only (the other workers of a profiled app). */
export const MEMORY_ARMED_SUFFIX = '.memory-armed.json'
/** Written once a session records: the load can start. */
export const RECORDING_SUFFIX = '.recording.json'
/** Its content, JSON (a SessionRequest) or empty, says what the session records beyond the default. */
export const START_SUFFIX = '.start'
export const STOP_SUFFIX = '.stop'

/** What the driver asks of a session through the start file. */
export interface SessionRequest {
  /** Write `<label>.heapsnapshot` at the end (full profiles only). @default false */
  heapSnapshot: boolean
}

/** An empty start file is the default request; anything else must be the JSON of one. */
export function parseSessionRequest (text: string): SessionRequest {
  if (text.trim() === '') return { heapSnapshot: false }
  const value = JSON.parse(text) as Partial<SessionRequest> | null
  if (typeof value !== 'object' || value === null || (value.heapSnapshot !== undefined && typeof value.heapSnapshot !== 'boolean')) {
    throw new TypeError(`expected a start request like {"heapSnapshot":true}, got ${text.slice(0, 100)}`)
  }
  return { heapSnapshot: value.heapSnapshot === true }
}

export interface ArmedWorker {
  /** Stops watching (a running session is stopped and written). */
  disarm (): Promise<void>
}

export interface ArmOptions {
  options: Readonly<ProfilerOptions>
  /** Told about failures; a profiler must never take the worker down. @default stderr */
  onError?: (err: unknown) => void
  workerId?: number
  /** 'profile': CPU and heap profiles and memory (the profiled worker); 'memory': memory over time only. @default 'profile' */
  mode?: 'profile' | 'memory'
  /** The --heap-delta recorder the preload installed (profile mode). */
  heapDelta?: HeapDeltaRecorder
}

interface Session {
  stop (): Promise<unknown>
  readonly finished: Promise<unknown>
}

/** Watches the profile directory and writes `<label>.armed.json` (or `.memory-armed.json`) so a driver knows who listens. */
export function armProfiling ({
  options,
  onError = (err) => process.stderr.write(`cachestack profile: ${String(err)}\n`),
  workerId,
  mode = 'profile',
  heapDelta
}: ArmOptions): ArmedWorker {
  const base = join(options.outDir, options.label)
  const armedFile = base + (mode === 'profile' ? ARMED_SUFFIX : MEMORY_ARMED_SUFFIX)
  let current: Session | undefined
  let starting = false
  const start = (request: SessionRequest): void => {
    if (starting || current !== undefined) return
    starting = true
    const begin: Promise<Session> = mode === 'profile'
      ? startProfiling(options, { heapSnapshot: request.heapSnapshot, heapDelta })
      : startMemorySampling(options)
    begin.then((session) => {
      current = session
      // Stopped by a stop file or by its deadline: the next start file starts a new session.
      session.finished.then(() => {}, onError).finally(() => { if (current === session) current = undefined })
      return writeFile(base + RECORDING_SUFFIX, JSON.stringify({ pid: process.pid, mode, startedAt: new Date().toISOString() }))
    }).catch(onError).finally(() => {
      starting = false
      // A stop that came while the session was starting.
      if (existsSync(base + STOP_SUFFIX)) check()
    })
  }
  /** The control file's content when it was there (it is removed), else undefined. */
  const take = (suffix: string): string | undefined => {
    let text: string
    try {
      text = readFileSync(base + suffix, 'utf8')
    } catch {
      return undefined
    }
    rmSync(base + suffix, { force: true })
    return text
  }
  const check = (): void => {
    try {
      const requested = take(START_SUFFIX)
      if (requested !== undefined) {
        let request: SessionRequest
        try {
          request = parseSessionRequest(requested)
        } catch (err) {
          // A malformed request still profiles, with the defaults: the driver waits for it.
          onError(err)
          request = { heapSnapshot: false }
        }
        start(request)
      }
      if (!starting && current !== undefined && take(STOP_SUFFIX) !== undefined) current.stop().catch(onError)
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
  writeFileSync(armedFile, JSON.stringify({ pid: process.pid, workerId, label: options.label }))
  return {
    async disarm () {
      watcher.close()
      rmSync(armedFile, { force: true })
      if (current !== undefined) await current.stop()
    }
  }
}
