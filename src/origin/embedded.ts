// `npm start` without ORIGIN_URL: fork the simulated provider next to the cluster, so a fresh
// machine needs nothing but Node.
import { fork, type ChildProcess } from 'node:child_process'
import { setPriority } from 'node:os'
import { fileURLToPath } from 'node:url'

export interface EmbeddedOrigin {
  readonly url: string
  readonly child: ChildProcess
  stop (): Promise<void>
}

export function startEmbeddedOrigin (env: NodeJS.ProcessEnv, { timeoutMs = 30_000, lowPriority = false } = {}): Promise<EmbeddedOrigin> {
  const script = fileURLToPath(new URL('./main.js', import.meta.url))
  // Loopback only: the embedded provider is private to this service.
  const child = fork(script, [], { env: { ...env, HOST: '127.0.0.1' }, stdio: 'inherit' })
  if (lowPriority && child.pid !== undefined) {
    // Started beside the workers: they take the cores first (the service answers /health
    // sooner), it takes what they leave. Best effort: a refused renice changes nothing else.
    try { setPriority(child.pid, 10) } catch {}
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the embedded weather provider did not start within ${timeoutMs} ms`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the embedded weather provider exited with code ${code} (is ORIGIN_PORT=${env.ORIGIN_PORT ?? 4000} in use?)`))
    })
    child.on('message', (message: { type?: string, port?: number }) => {
      if (message?.type !== 'cachestack:origin:listening') return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({
        url: `http://127.0.0.1:${message.port}`,
        child,
        stop: () => stopChild(child)
      })
    })
  })
}

/** SIGTERM, then its exit (at once when it has exited already). */
function stopChild (child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}
