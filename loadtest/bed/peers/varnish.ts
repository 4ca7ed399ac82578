// peer-varnish: Debian's varnishd, foreground, unprivileged jail off (-j none: one work dir per
// run, nothing under /var), bounded memory store, in front of the cache-less app. Its VCL is
// loadtest/bed/peers/varnish.vcl, rendered with the run's backend port, TTL and grace.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { findBinary } from '../../../stack/binaries.js'
import { spawnManaged } from '../../../stack/managed-process.js'
import { waitForHttp } from '../../../stack/wait-for-http.js'
import type { PeerLifetimes, PeerServer } from './peer-server.js'

const run = promisify(execFile)

/** dist/loadtest/bed/peers/ → repository root. */
export const VARNISH_VCL_PATH = fileURLToPath(new URL('../../../../loadtest/bed/peers/varnish.vcl', import.meta.url))

/** varnishd, or an error naming the Debian package. */
export function requireVarnishd (): string {
  const bin = findBinary('varnishd')
  if (bin === undefined) throw new Error('varnishd is not installed (or not on PATH). Install it: apt-get install -y varnish')
  return bin
}

export interface VclSettings extends PeerLifetimes {
  /** The app's port on 127.0.0.1. */
  backendPort: number
}

// Each value the run sets is on a line marked `# cachestack: <what>`; a marker that is gone is an
// error, so the committed file and this renderer cannot drift apart silently.
const MARKED = [
  ['backend port', /\.port = "\d+"; # cachestack: backend port/, (s: VclSettings) => `.port = "${s.backendPort}"; # cachestack: backend port`],
  ['ttl', /set beresp\.ttl = \d+s; # cachestack: ttl/, (s: VclSettings) => `set beresp.ttl = ${s.ttlSeconds}s; # cachestack: ttl`],
  ['grace', /set beresp\.grace = \d+s; # cachestack: grace/, (s: VclSettings) => `set beresp.grace = ${s.graceSeconds}s; # cachestack: grace`]
] as const

export function renderVcl (settings: VclSettings, template = readFileSync(VARNISH_VCL_PATH, 'utf8')): string {
  const { backendPort, ttlSeconds, graceSeconds } = settings
  if (!Number.isInteger(backendPort) || backendPort < 1 || backendPort > 65535) throw new TypeError(`expected a backend port, got ${backendPort}`)
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new TypeError(`expected a TTL of at least 1 s, got ${ttlSeconds}`)
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new TypeError(`expected a grace of 0 s or more, got ${graceSeconds}`)
  let vcl = template
  for (const [what, pattern, line] of MARKED) {
    if (!pattern.test(vcl)) throw new Error(`the VCL has no line marked "# cachestack: ${what}" to set`)
    vcl = vcl.replace(pattern, line(settings))
  }
  return vcl
}

/** `varnishd -C`: compiles the VCL to C without starting anything; throws with varnishd's words.
 * -j none as for the server: as root, the default jail would read the file as the varnish user. */
export async function checkVcl (vclPath: string, workDir: string): Promise<void> {
  const bin = requireVarnishd()
  await mkdir(workDir, { recursive: true })
  try {
    await run(bin, ['-C', '-j', 'none', '-f', vclPath, '-n', workDir], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })
  } catch (err) {
    const { stderr = '', message } = err as { stderr?: string, message: string }
    throw new Error(`varnishd refused ${vclPath}:\n${stderr.trim().split('\n').slice(-15).join('\n') || message}`)
  }
}

export interface VarnishSettings extends VclSettings {
  /** Loopback port Varnish listens on. */
  port: number
  /** Its -n directory (shared memory log, compiled VCL) and the rendered VCL. */
  workDir: string
  /** malloc storage: bounded, like nginx's edge cache. @default '256m' */
  storage?: string
}

export async function startVarnish (settings: VarnishSettings, startTimeoutMs = 30_000): Promise<PeerServer> {
  const bin = requireVarnishd()
  const { port, workDir, storage = '256m' } = settings
  await mkdir(workDir, { recursive: true })
  const vclPath = join(workDir, 'varnish.vcl')
  await writeFile(vclPath, renderVcl(settings))
  const child = spawnManaged({
    name: 'varnishd (peer-varnish)',
    command: bin,
    // -F: foreground (the load test owns it); -T none: no management port; -j none: no jail,
    // so a run needs neither root nor the varnish user.
    args: ['-F', '-j', 'none', '-T', 'none', '-n', workDir, '-a', `127.0.0.1:${port}`, '-f', vclPath, '-s', `malloc,${storage}`],
    forwardOutput: false,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000
  })
  const url = `http://127.0.0.1:${port}`
  try {
    // Not /weather/: readiness must not fill the cache. /health is passed to the app.
    await waitForHttp(`${url}/health`, { timeoutMs: startTimeoutMs, process: child })
  } catch (err) {
    await child.stop().catch(() => {})
    throw new Error(`peer-varnish failed to start: ${(err as Error).message}`)
  }
  return { url, pid: child.pid, stop: () => child.stop() }
}
