// Command line → SoakOptions: explicit flags, then DEFAULTS.
import { parseArgs } from 'node:util'
import { flagValue } from '../src/cli-options.js'
import { SoakOptionError } from '../src/errors.js'
import { anyNumber } from '../src/value-rules.js'
import { DEFAULT_MIX, REQUEST_KINDS, type RequestKind } from './mix.js'
import { DEFAULTS, OptionError, defaultOutDir, validateOptions, type SoakOptions } from './options.js'

export const USAGE = `Usage: npm run soak -- [options]

Starts the native stack (nginx → 2 workers, strategy layered → redis-server + simulated provider),
drives a mixed load through nginx at a fixed rate, samples memory, caches, descriptors and
event-loop delay every few seconds, and fails when a series still grows over the second half.
Writes soak.json and report.html (offline, one chart per series).

  --minutes N        minutes of load (default ${DEFAULTS.durationSeconds / 60})
  --seconds N        seconds of load instead (short runs)
  --rate R           requests per second, all kinds together (default ${DEFAULTS.rate})
  --interval S       seconds between samples (default ${DEFAULTS.intervalSeconds})
  --cities N         hot set: the N most populous cities, drawn by population (default ${DEFAULTS.cities})
  --mix LIST         shares, e.g. hit=0.78,conditional=0.1,cold=0.05,purge=0.02,invalid=0.05 (default)
  --workers N        cluster workers (default ${DEFAULTS.workers})
  --seed N           PRNG seed of the draws (default ${DEFAULTS.seed})
  --app-env K=V      app environment over the soak's sizing (repeatable), e.g. --app-env CACHE_TTL_SECONDS=300
  --out DIR          output directory (default soak-results/<timestamp>)
  -h, --help         this text

Exit status: 0 passed; 1 a series grows, an answer was unexpected, a worker died, or the run was
interrupted; 64 bad options.
`

export type ParsedCommandLine = { help: true } | { help: false, options: Readonly<SoakOptions> }

/** A numeric flag; its bounds are the option's, checked by validateOptions. */
const number = (name: string, raw: string | undefined): number | undefined => flagValue(SoakOptionError, name, raw, anyNumber)

function parseMix (raw: string): Record<RequestKind, number> {
  const mix: Record<RequestKind, number> = { hit: 0, conditional: 0, cold: 0, purge: 0, invalid: 0 }
  for (const part of raw.split(',')) {
    const match = /^\s*([a-z]+)\s*=\s*([0-9.]+)\s*$/.exec(part)
    if (match === null || !(REQUEST_KINDS as readonly string[]).includes(match[1]!)) {
      throw new OptionError('mix', part, `expected kind=share with kinds among ${REQUEST_KINDS.join(', ')}`)
    }
    mix[match[1] as RequestKind] = Number(match[2])
  }
  return mix
}

function parseEnv (pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new OptionError('app-env', pair, 'expected NAME=value')
    env[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return env
}

export function parseCommandLine (argv: readonly string[], now = new Date()): ParsedCommandLine {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      minutes: { type: 'string' },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      interval: { type: 'string' },
      cities: { type: 'string' },
      mix: { type: 'string' },
      workers: { type: 'string' },
      seed: { type: 'string' },
      'app-env': { type: 'string', multiple: true },
      out: { type: 'string' }
    }
  })
  if (values.help === true) return { help: true }
  if (positionals.length > 0) throw new OptionError('arguments', positionals.join(' '), 'expected flags only (see --help)')
  if (values.minutes !== undefined && values.seconds !== undefined) throw new OptionError('minutes', values.minutes, 'give --minutes or --seconds, not both')
  const minutes = number('minutes', values.minutes)
  const seconds = number('seconds', values.seconds)
  return {
    help: false,
    options: validateOptions({
      durationSeconds: seconds ?? (minutes === undefined ? DEFAULTS.durationSeconds : minutes * 60),
      rate: number('rate', values.rate) ?? DEFAULTS.rate,
      intervalSeconds: number('interval', values.interval) ?? DEFAULTS.intervalSeconds,
      cities: number('cities', values.cities) ?? DEFAULTS.cities,
      mix: values.mix === undefined ? { ...DEFAULT_MIX } : parseMix(values.mix),
      workers: number('workers', values.workers) ?? DEFAULTS.workers,
      seed: number('seed', values.seed) ?? DEFAULTS.seed,
      connections: DEFAULTS.connections,
      timeoutMs: DEFAULTS.timeoutMs,
      appEnv: parseEnv(values['app-env'] ?? []),
      outDir: values.out ?? defaultOutDir(now)
    })
  }
}
