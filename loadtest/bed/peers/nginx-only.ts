// peer-nginx-only: a real nginx with proxy_cache in front of the provider, no Node in the path.
// Its configuration is loadtest/bed/peers/nginx-only.conf.template, rendered with the run's lifetimes
// and a generated map of city names to the provider's ids (the app's city index, as a table).
import { mkdir, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { requireBinary } from '../../../stack/binaries.js'
import { spawnManaged } from '../../../stack/managed-process.js'
import { testNginxConfig } from '../../../stack/nginx-server.js'
import { renderTemplate } from '../../../src/nginx/template.js'
import { waitForHttp } from '../../../stack/wait-for-http.js'
import type { PeerLifetimes, PeerServer } from './peer-server.js'

/** dist/loadtest/bed/peers/ → repository root. */
export const NGINX_ONLY_TEMPLATE_PATH = fileURLToPath(new URL('../../../../loadtest/bed/peers/nginx-only.conf.template', import.meta.url))

/** A city the map knows: its URL segment (percent-encoded canonical name) and the provider's id. */
export interface MappedCity {
  readonly segment: string
  readonly id: number
}

export interface NginxOnlySettings extends PeerLifetimes {
  /** Loopback port nginx listens on. */
  port: number
  /** host:port of the provider (or of the load test's provider proxy in front of it). */
  providerAddress: string
  /** nginx's prefix: config, map, cache, pid, logs. */
  workDir: string
  cities: readonly MappedCity[]
  /** @default 1, as the service's own nginx */
  workerProcesses?: number
}

// A map key lands between double quotes in the config: refuse what could end it (spaces are fine).
const SAFE_KEY = /^[^"\\\r\n\t;{}$]+$/

/** `map $uri $cs_city_id { … }`: nginx matches the decoded URI, so keys are decoded segments. */
export function renderCityMap (cities: readonly MappedCity[]): string {
  const lines = ['map $uri $cs_city_id {', '  default "";']
  for (const city of cities) {
    if (!Number.isInteger(city.id) || city.id < 0) throw new TypeError(`expected a non-negative integer city id, got ${city.id}`)
    const key = `/weather/${decodeURIComponent(city.segment)}`
    if (!SAFE_KEY.test(key)) throw new TypeError(`city segment ${JSON.stringify(city.segment)} cannot be an nginx map key`)
    lines.push(`  "${key}" ${city.id};`)
  }
  lines.push('}', '')
  return lines.join('\n')
}

export function renderNginxOnlyConfig (
  settings: Omit<NginxOnlySettings, 'cities'> & { cityMapPath: string, cityCount: number },
  template = readFileSync(NGINX_ONLY_TEMPLATE_PATH, 'utf8')
): string {
  const { port, providerAddress, workDir, ttlSeconds, graceSeconds, cityMapPath, cityCount, workerProcesses = 1 } = settings
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`expected a port, got ${port}`)
  if (!/^127\.0\.0\.1:\d{1,5}$/.test(providerAddress)) throw new TypeError(`expected the provider at 127.0.0.1:port, got ${JSON.stringify(providerAddress)}`)
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new TypeError(`expected a TTL of at least 1 s, got ${ttlSeconds}`)
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new TypeError(`expected a grace of 0 s or more, got ${graceSeconds}`)
  return renderTemplate(template, {
    // As the service's nginx (src/nginx/nginx-config.ts): run as root, nginx would switch its
    // workers to nobody, who cannot write the work dir; keep them the invoking user.
    user: process.getuid?.() === 0 ? 'root root' : '',
    workerProcesses,
    workDir,
    // nginx sizes the map's hash to fit; the bound must be at least the number of keys.
    mapHashMaxSize: Math.max(1024, 2 ** Math.ceil(Math.log2(cityCount * 2 + 1))),
    cityMapPath,
    inactiveSeconds: ttlSeconds + graceSeconds,
    providerAddress,
    listen: `127.0.0.1:${port}`,
    ttlSeconds,
    grace: graceSeconds > 0
  })
}

export async function startNginxOnly (settings: NginxOnlySettings, startTimeoutMs = 30_000): Promise<PeerServer> {
  const bin = requireBinary('nginx')
  const { workDir, cities, port } = settings
  await mkdir(workDir, { recursive: true })
  const cityMapPath = join(workDir, 'cities.map')
  const configPath = join(workDir, 'nginx.conf')
  await writeFile(cityMapPath, renderCityMap(cities))
  await writeFile(configPath, renderNginxOnlyConfig({ ...settings, cityMapPath, cityCount: cities.length }))
  const errorLog = join(workDir, 'error.log')
  await testNginxConfig(configPath, workDir, errorLog)
  const child = spawnManaged({
    name: 'nginx (peer-nginx-only)',
    command: bin,
    args: ['-p', workDir + '/', '-c', configPath, '-e', errorLog],
    forwardOutput: false,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 5000
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${url}/health`, { timeoutMs: startTimeoutMs, process: child })
  } catch (err) {
    await child.stop().catch(() => {})
    throw new Error(`peer-nginx-only failed to start (config ${configPath}): ${(err as Error).message}\n${child.outputTail()}`)
  }
  return { url, pid: child.pid, stop: () => child.stop() }
}
