// One child of the stack: spawned as the leader of its own process group, its output forwarded
// and its tail kept for error messages, stopped with a signal, a bound, then SIGKILL to the
// whole group, so nothing it forked outlives it.
import { spawn, type ChildProcess } from 'node:child_process'
import { signalGroup, waitForGroupExit } from './process-group.js'

export interface ManagedProcessOptions {
  /** Shown in every message ('origin', 'app', 'nginx'). */
  name: string
  command: string
  args: readonly string[]
  env?: NodeJS.ProcessEnv
  /** Copy the child's stdout/stderr to ours. @default true */
  forwardOutput?: boolean
  /** Signal for a graceful stop, sent to the leader (which stops its own workers). @default 'SIGTERM' */
  stopSignal?: NodeJS.Signals
  /** Bound on the graceful stop before SIGKILL to the group, ms. @default 12_000 */
  stopTimeoutMs?: number
  /** Bytes of recent output kept for error messages. @default 8192 */
  tailBytes?: number
}

export interface ManagedProcess {
  readonly name: string
  /** The leader's pid, which is also the group id. */
  readonly pid: number
  readonly child: ChildProcess
  /** Resolves when the leader exits (the group may briefly outlive it). */
  readonly exited: Promise<void>
  running (): boolean
  /** Recent output, for "failed to start" messages. */
  outputTail (): string
  /** Graceful stop, then SIGKILL to whatever is left of the group; resolves once it is empty. */
  stop (): Promise<void>
  /** Synchronous SIGKILL to the group: for process 'exit' handlers, where nothing can wait. */
  killNow (): void
}

export function spawnManaged (options: ManagedProcessOptions): ManagedProcess {
  const { name, command, args, env = process.env, forwardOutput = true, stopSignal = 'SIGTERM', stopTimeoutMs = 12_000, tailBytes = 8192 } = options
  const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let tail = ''
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-tailBytes)
  }
  child.on('error', (err) => { keep(Buffer.from(`${name}: ${err.message}\n`)) })
  if (child.pid === undefined) {
    // spawn reports ENOENT/EACCES asynchronously; without a pid there is no process to manage.
    throw new Error(`${name}: could not start ${command}`)
  }
  const pid = child.pid
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  if (forwardOutput) {
    child.stdout!.pipe(process.stdout, { end: false })
    child.stderr!.pipe(process.stderr, { end: false })
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  const running = (): boolean => child.exitCode === null && child.signalCode === null

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (running()) {
        try {
          process.kill(pid, stopSignal)
        } catch {}
        let timer: NodeJS.Timeout | undefined
        const timedOut = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), stopTimeoutMs) })
        ])
        clearTimeout(timer)
        if (timedOut) process.stderr.write(`${name} (pid ${pid}) did not stop within ${stopTimeoutMs} ms: killing its process group\n`)
      }
      // Anything left in the group (a worker orphaned by a crashed leader) goes now.
      signalGroup(pid, 'SIGKILL')
      if (!await waitForGroupExit(pid, 5000)) throw new Error(`${name}: process group ${pid} still has live members after SIGKILL`)
      await exited
    })()
    return stopping
  }

  return {
    name,
    pid,
    child,
    exited,
    running,
    outputTail: () => tail,
    stop,
    killNow: () => signalGroup(pid, 'SIGKILL')
  }
}
