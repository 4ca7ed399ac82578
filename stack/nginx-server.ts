// A real nginx in the foreground, non-root friendly: `-p <workDir> -c <file> -e <error log>`, so
// it never touches /var/log, /run or /var/lib. The config is checked with `nginx -t` first, for an
// error that names the problem instead of a dead process.
import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { requireBinary } from './binaries.js'
import { spawnManaged, type ManagedProcess } from './managed-process.js'
import { renderNginxConfig, type NginxConfigOptions } from '../src/nginx/nginx-config.js'
import { waitForHttp } from './wait-for-http.js'

const run = promisify(execFile)

export interface NginxServerOptions {
  /** Rendered into `<workDir>/nginx.conf`; its workDir is nginx's prefix. */
  config: NginxConfigOptions
  /** Where /health answers, for the readiness poll. */
  healthUrl: string
  /** @default true */
  forwardOutput?: boolean
  /** @default 15_000 */
  startTimeoutMs?: number
  /** Abandons the start (the process is stopped). */
  signal?: AbortSignal
}

export interface NginxServer {
  readonly configPath: string
  readonly accessLogPath: string
  readonly errorLogPath: string
  readonly process: ManagedProcess
  stop (): Promise<void>
}

function errorLogOf (config: NginxConfigOptions): string {
  return config.errorLogPath ?? join(config.workDir, 'error.log')
}

/** `nginx -t` on a rendered file; throws with nginx's own words when it is refused. (Native logs
 * cannot be /dev/stdout: a Node child's stdio is a socket, which open() refuses with ENXIO.) */
export async function testNginxConfig (configPath: string, workDir: string, errorLog = join(workDir, 'error.log')): Promise<string> {
  const bin = requireBinary('nginx')
  try {
    const { stderr } = await run(bin, ['-t', '-p', workDir + '/', '-c', configPath, '-e', errorLog], { timeout: 15_000 })
    return stderr
  } catch (err) {
    const { stderr = '', message } = err as { stderr?: string, message: string }
    throw new Error(`nginx refused ${configPath}:\n${stderr.trim() || message}`)
  }
}

export async function startNginxServer (options: NginxServerOptions): Promise<NginxServer> {
  const { config, healthUrl, forwardOutput = true, startTimeoutMs = 15_000, signal } = options
  const bin = requireBinary('nginx')
  await mkdir(config.workDir, { recursive: true })
  const configPath = join(config.workDir, 'nginx.conf')
  await writeFile(configPath, renderNginxConfig(config))
  const errorLog = errorLogOf(config)
  await testNginxConfig(configPath, config.workDir, errorLog)
  const child = spawnManaged({
    name: 'nginx',
    command: bin,
    args: ['-p', config.workDir + '/', '-c', configPath, '-e', errorLog],
    forwardOutput,
    // Fast shutdown: a stack is stopped between runs, there is nothing to drain politely.
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 5000
  })
  try {
    await waitForHttp(healthUrl, { timeoutMs: startTimeoutMs, process: child, ...(signal === undefined ? {} : { signal }) })
  } catch (err) {
    await child.stop().catch(() => {})
    const log = await readFile(errorLog, 'utf8').catch(() => '')
    throw new Error(`nginx failed to start (config ${configPath}): ${(err as Error).message}` +
      `${log === '' ? '' : `\nerror log ${errorLog}:\n${log.trim().split('\n').slice(-10).join('\n')}`}`)
  }
  return {
    configPath,
    accessLogPath: config.accessLogPath ?? join(config.workDir, 'access.log'),
    errorLogPath: errorLog,
    process: child,
    stop: () => child.stop()
  }
}
