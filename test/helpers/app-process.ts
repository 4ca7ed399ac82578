// The real entry point (`npm start`) as a child process: primary + workers, on free ports.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../stack/free-port.js'
import { waitFor } from './redis.js'

export const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url))

export interface AppProcess {
  readonly url: string
  readonly port: number
  /** The primary's internal metrics listener (METRICS_PORT). */
  readonly metricsUrl: string
  readonly child: ChildProcess
  readonly output: () => string
  /** Pids of the primary's children (workers, and the embedded origin). */
  children (): number[]
  exited (): Promise<number | null>
  stop (): Promise<number | null>
}

export function childPids (pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function startApp (env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort()
  let metricsPort = await freePort()
  while (metricsPort === port) metricsPort = await freePort()
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, PORT: String(port), METRICS_PORT: String(metricsPort), HOST: '127.0.0.1', LOG_LEVEL: 'info', WORKERS: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exit = new Promise<number | null>(resolve => child.once('exit', (code) => resolve(code)))
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}:\n${output}`)
      // The primary logs this once every worker listens (and, with Redis, has connected).
      return output.includes('cachestack listening')
    }, 20_000, 'app to listen')
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  return {
    url,
    port,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    child,
    output: () => output,
    children: () => childPids(child.pid!),
    exited: () => exit,
    async stop () {
      if (child.exitCode === null) child.kill('SIGTERM')
      return await exit
    }
  }
}
