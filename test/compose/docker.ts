// Thin helpers over the real docker and docker-compose command lines, for the compose test.
// Every call is bounded in time; a failure carries the command's own words.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface Run { stdout: string, stderr: string }

export function run (
  command: string,
  args: readonly string[],
  { env = {}, timeoutMs = 300_000 }: { env?: Record<string, string>, timeoutMs?: number } = {}
): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) {
        reject(new Error(
          `${command} ${args.join(' ')} failed (${err.killed ? `killed after ${timeoutMs} ms` : `exit ${String(err.code)}`}):\n${tail(stderr || stdout, 40)}`
        ))
        return
      }
      resolve({ stdout, stderr })
    })
  })
}

export function tail (text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** docker-compose on one project, with the environment the compose file reads. */
export class Compose {
  readonly project: string
  env: Record<string, string>

  constructor (project: string, env: Record<string, string>) {
    this.project = project
    // The classic builder: BuildKit would try to pull its `# syntax=` frontend from a registry.
    this.env = { DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0', ...env }
  }

  async run (args: readonly string[], { env = {}, timeoutMs }: { env?: Record<string, string>, timeoutMs?: number } = {}): Promise<string> {
    const result = await run(
      'docker-compose',
      ['-p', this.project, '-f', 'docker-compose.yml', ...args],
      { env: { ...this.env, ...env }, ...(timeoutMs === undefined ? {} : { timeoutMs }) }
    )
    return result.stdout
  }

  /** Container ids of a service, oldest replica first (stopped ones included). */
  async ids (service: string, profile?: string): Promise<string[]> {
    const out = await this.run([...(profile === undefined ? [] : ['--profile', profile]), 'ps', '-a', '-q', service])
    const ids = out.split('\n').map((line) => line.trim()).filter(Boolean)
    if (ids.length < 2) return ids
    const states = await Promise.all(ids.map(async (id) => ({
      id,
      number: Number((await inspect(id)).Config.Labels['com.docker.compose.container-number'] ?? 0)
    })))
    return states.sort((a, b) => a.number - b.number).map((state) => state.id)
  }

  /** The last lines a service logged (every replica), for a failure message. */
  async logs (service: string, lines = 30): Promise<string> {
    try {
      return tail(await this.run(['--profile', 'cluster', 'logs', '--no-color', '--tail', String(lines), service], { timeoutMs: 20_000 }), lines)
    } catch (err) {
      return `(no logs: ${(err as Error).message})`
    }
  }
}

export interface ContainerState {
  Name: string
  Config: { User: string, Labels: Record<string, string> }
  State: { Status: string, Running: boolean, ExitCode: number, OOMKilled: boolean, StartedAt: string, FinishedAt: string, Health?: { Status: string } }
  HostConfig: { RestartPolicy: { Name: string } }
}

export async function inspect (id: string): Promise<ContainerState> {
  const { stdout } = await run('docker', ['inspect', id], { timeoutMs: 20_000 })
  return (JSON.parse(stdout) as ContainerState[])[0]!
}

/** Runs a short script with the image's own node inside a running container. */
export async function nodeIn (id: string, script: string): Promise<string> {
  return (await run('docker', ['exec', id, 'node', '-e', script], { timeoutMs: 30_000 })).stdout
}

/** An HTTP GET from inside a container (the network the published port does not reach). */
export async function getInside (id: string, url: string): Promise<{ status: number, headers: Record<string, string>, body: string }> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) }).then(` +
    'async (r) => process.stdout.write(JSON.stringify({ status: r.status, headers: Object.fromEntries(r.headers), body: await r.text() })), ' +
    '(e) => { process.stdout.write(JSON.stringify({ status: 0, headers: {}, body: String(e) })) })'
  return JSON.parse(await nodeIn(id, script)) as { status: number, headers: Record<string, string>, body: string }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
