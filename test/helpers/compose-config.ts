// docker-compose.yml as docker-compose itself reads it (`config`; no Docker engine needed).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { requireBinary } from '../../stack/binaries.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface ComposeService {
  image?: string
  build?: { dockerfile: string }
  command?: string[]
  init?: boolean
  profiles?: string[]
  ports?: Array<string | { published: number | string, target: number, host_ip?: string }>
  environment?: Record<string, string>
  depends_on?: Record<string, { condition: string }>
  deploy?: { replicas?: number }
  restart?: string
  healthcheck?: { test?: string[], disable?: boolean }
  volumes?: string[]
  expose?: string[]
  container_name?: string
}

/** The resolved services, for these extra arguments (`--profile cluster`) and environment. */
export async function composeConfig (args: string[] = [], env: Record<string, string> = {}): Promise<Record<string, ComposeService>> {
  const { stdout } = await run(requireBinary('docker-compose'), ['-f', 'docker-compose.yml', ...args, 'config'], { cwd: ROOT, env: { ...process.env, ...env } })
  // docker-compose v1 prints YAML only; its own PyYAML turns it into JSON.
  const child = execFile(requireBinary('python3'), ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'])
  child.stdin!.end(stdout)
  let json = ''
  child.stdout!.on('data', (chunk: Buffer) => { json += chunk.toString() })
  await new Promise<void>((resolve, reject) => child.once('exit', (code) => code === 0 ? resolve() : reject(new Error(`python3 exited ${code}`))))
  return (JSON.parse(json) as { services: Record<string, ComposeService> }).services
}

/** [host address, published port, container port] of each published port. docker-compose v1
 * prints the short form (`127.0.0.1:8080:8080/tcp`), Compose v2 the long one. */
export function publishedPorts (service: ComposeService): Array<[string | undefined, number, number]> {
  return (service.ports ?? []).map((port) => {
    if (typeof port !== 'string') return [port.host_ip, Number(port.published), port.target]
    const match = /^(?:(.+):)?(\d+):(\d+)(?:\/tcp)?$/.exec(port)
    if (match === null) throw new Error(`unexpected port syntax: ${port}`)
    return [match[1], Number(match[2]), Number(match[3])]
  })
}
