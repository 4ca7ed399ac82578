import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

const INSTALL_HINT: Record<string, string> = {
  'redis-server': 'apt-get install -y redis-server',
  'redis-cli': 'apt-get install -y redis-tools',
  nginx: 'apt-get install -y nginx',
  'docker-compose': 'apt-get install -y docker-compose',
  chromium: 'apt-get install -y chromium',
  promtool: 'apt-get install -y prometheus',
  prometheus: 'apt-get install -y prometheus',
  'prometheus-nginx-exporter': 'apt-get install -y prometheus-nginx-exporter',
  'prometheus-redis-exporter': 'apt-get install -y prometheus-redis-exporter',
  'redis-sentinel': 'apt-get install -y redis-sentinel'
}

/** Absolute path of a binary on PATH (or /usr/sbin), or undefined. */
export function findBinary (name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']
  for (const dir of dirs) {
    if (dir === '') continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

/** Like findBinary, but a clear error naming the package to install. */
export function requireBinary (name: string): string {
  const found = findBinary(name)
  if (found !== undefined) return found
  throw new Error(`${name} is not installed (or not on PATH). Install it: ${INSTALL_HINT[name] ?? name}`)
}
