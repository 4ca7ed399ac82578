// Every option of the soak, its default and its validation, in one place. The CLI maps flags
// onto these; the runner receives them validated and frozen.
import { optionProblem, optionValue } from '../src/cli-options.js'
import { SoakOptionError } from '../src/errors.js'
import { integer, matching, number, oneOf, type Rule } from '../src/value-rules.js'
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

/** CS_ERR_SOAK_OPTION, named `name=<value>: <problem>`. */
export class OptionError extends SoakOptionError {
  constructor (name: string, value: unknown, problem: string) {
    super(optionProblem(name, value, problem))
  }
}

export function defaultOutDir (now = new Date()): string {
  return `soak-results/${now.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}`
}

const check = <T>(name: string, value: unknown, rule: Rule<T>): T => optionValue(SoakOptionError, name, value, rule)

// Whatever the app reads: an environment variable's name.
const variableName = matching(/^[A-Z][A-Z0-9_]*$/, 'NAME=value with an upper-case variable name')

export function validateOptions (options: SoakOptions): Readonly<SoakOptions> {
  const o = options
  check('duration (seconds)', o.durationSeconds, number(20, 86_400))
  check('rate', o.rate, number(1, 20_000))
  check('interval', o.intervalSeconds, number(0.2, 600))
  // The growth fit needs enough samples in the second half to tell a slope from noise.
  if (o.durationSeconds / 2 / o.intervalSeconds < 8) {
    const most = o.durationSeconds / 16
    throw new OptionError('interval', o.intervalSeconds, `expected at least 8 samples in the second half of ${o.durationSeconds} s: at most ${most} s`)
  }
  check('cities', o.cities, integer(1, 100_000))
  check('workers', o.workers, integer(1, 64))
  check('seed', o.seed, integer(0, 2 ** 32 - 1))
  check('connections', o.connections, integer(1, 4096))
  check('timeout (ms)', o.timeoutMs, integer(100, 600_000))
  const kinds = Object.keys(o.mix)
  for (const kind of kinds) check('mix', kind, oneOf(REQUEST_KINDS))
  let sum = 0
  for (const kind of REQUEST_KINDS) {
    const share = o.mix[kind]
    check(`mix.${kind}`, share, number(0, 1))
    sum += share
  }
  if (Math.abs(sum - 1) > 1e-9) throw new OptionError('mix', o.mix, `expected shares summing to 1, got ${sum}`)
  for (const [key, value] of Object.entries(o.appEnv)) {
    if (!variableName.accepts(key)) throw new OptionError('app-env', `${key}=${value}`, `expected ${variableName.expected}`)
  }
  if (o.outDir.trim() === '') throw new OptionError('out', o.outDir, 'expected a directory')
  return Object.freeze({ ...o, mix: Object.freeze({ ...o.mix }), appEnv: Object.freeze({ ...o.appEnv }) })
}
