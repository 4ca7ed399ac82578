// Every option of the soak, its default and its validation, in one place. The CLI maps flags
// onto these; the runner receives them validated and frozen.
import { DEFAULT_MIX, REQUEST_KINDS, type RequestKind } from './mix.js'

export interface SoakOptions {
  /** Seconds of load (`--minutes N` or `--seconds N`). @default 600 */
  durationSeconds: number
  /** Requests per second through nginx, all kinds together, at a fixed rate. @default 300 */
  rate: number
  /** Seconds between two samples. @default 5 */
  intervalSeconds: number
  /** Cities of the hot set (the most populous ones), drawn by population. @default 1000 */
  cities: number
  /** Share of each request kind; they sum to 1. @default DEFAULT_MIX */
  mix: Readonly<Record<RequestKind, number>>
  /** Cluster workers of the app. @default 2 */
  workers: number
  /** Seed of every draw (kinds, cities). @default 42 */
  seed: number
  /** Keep-alive connections of the client to nginx (opened on demand). @default 64 */
  connections: number
  /** A request without an answer after this long is an error, ms. @default 10_000 */
  timeoutMs: number
  /** App environment on top of the soak's own sizing (soak/app-settings.ts), e.g. to soak the defaults. @default {} */
  appEnv: Readonly<Record<string, string>>
  /** Where soak.json and report.html go. @default soak-results/<timestamp> */
  outDir: string
}

export const DEFAULTS = Object.freeze({
  durationSeconds: 600,
  rate: 300,
  intervalSeconds: 5,
  cities: 1000,
  mix: DEFAULT_MIX,
  workers: 2,
  seed: 42,
  connections: 64,
  timeoutMs: 10_000,
  appEnv: Object.freeze({}) as Readonly<Record<string, string>>
})

export class OptionError extends Error {
  readonly code = 'CS_ERR_SOAK_OPTION'
  constructor (name: string, value: unknown, expected: string) {
    super(`${name}=${JSON.stringify(value)}: ${expected}`)
  }
}

export function defaultOutDir (now = new Date()): string {
  return `soak-results/${now.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}`
}

function checkNumber (name: string, value: number, min: number, max: number, integer = false): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new OptionError(name, value, `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`)
  }
}

export function validateOptions (options: SoakOptions): Readonly<SoakOptions> {
  const o = options
  checkNumber('duration (seconds)', o.durationSeconds, 20, 86_400)
  checkNumber('rate', o.rate, 1, 20_000)
  checkNumber('interval', o.intervalSeconds, 0.2, 600)
  // The growth fit needs enough samples in the second half to tell a slope from noise.
  if (o.durationSeconds / 2 / o.intervalSeconds < 8) {
    const most = o.durationSeconds / 16
    throw new OptionError('interval', o.intervalSeconds, `expected at least 8 samples in the second half of ${o.durationSeconds} s: at most ${most} s`)
  }
  checkNumber('cities', o.cities, 1, 100_000, true)
  checkNumber('workers', o.workers, 1, 64, true)
  checkNumber('seed', o.seed, 0, 2 ** 32 - 1, true)
  checkNumber('connections', o.connections, 1, 4096, true)
  checkNumber('timeout (ms)', o.timeoutMs, 100, 600_000, true)
  const kinds = Object.keys(o.mix)
  for (const kind of kinds) {
    if (!(REQUEST_KINDS as readonly string[]).includes(kind)) throw new OptionError('mix', kind, `expected kinds among ${REQUEST_KINDS.join(', ')}`)
  }
  let sum = 0
  for (const kind of REQUEST_KINDS) {
    const share = o.mix[kind]
    checkNumber(`mix.${kind}`, share, 0, 1)
    sum += share
  }
  if (Math.abs(sum - 1) > 1e-9) throw new OptionError('mix', o.mix, `expected shares summing to 1, got ${sum}`)
  for (const [key, value] of Object.entries(o.appEnv)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new OptionError('app-env', `${key}=${value}`, 'expected NAME=value with an upper-case variable name')
  }
  if (o.outDir.trim() === '') throw new OptionError('out', o.outDir, 'expected a directory')
  return Object.freeze({ ...o, mix: Object.freeze({ ...o.mix }), appEnv: Object.freeze({ ...o.appEnv }) })
}
