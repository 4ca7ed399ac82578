// `npm run faults [-- --quick] [--only a,b] [--seconds N] [--out DIR]`: the options of a matrix
// run, their defaults in one place, validated once with a message naming the bad value.
import { parseArgs } from 'node:util'
import { flagValue } from '../src/cli-options.js'
import { integer } from '../src/value-rules.js'

export interface MatrixOptions {
  /** Short phases and a smaller hot set: what the test runs. @default false */
  quick: boolean
  /** Fault ids to run (the catalogue's order is kept). @default every fault */
  only: readonly string[] | null
  /** Length of each phase — before the fault, its window, after it — in seconds. @default 5, or 3 with --quick */
  phaseSeconds: number
  /** Requests per second through nginx, fixed rate. @default 300, or 200 with --quick */
  rate: number
  /** Client connections (the machine is shared: kept small). @default 10 */
  connections: number
  /** Cities in the Zipf hot set. @default 500, or 200 with --quick */
  hotCities: number
  /** Share of requests for cold keys (never requested before). @default 0.005 */
  coldShare: number
  /** Where the JSON and Markdown reports go. @default 'faults-results' */
  outDir: string
  /** The command line, as the reports print it. @default what parsed these options */
  command: string
}

export const USAGE = `usage: npm run faults [-- options]
  --quick           short phases (3 s) and a smaller hot set: what test/faults runs
  --only a,b        run only these faults (ids: see docs/reliability.md)
  --seconds N       length of each phase (before, window, after), 3..120 s (default 5; 3 with --quick)
  --rate N          requests per second through nginx (default 300; 200 with --quick)
  --out DIR         report directory (default faults-results)
Exit code 1 when any row misses its expected outcome.`

export function parseMatrixOptions (argv: readonly string[], knownFaults: readonly string[]): Readonly<MatrixOptions> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  })
  if (values.help === true) throw new HelpRequested()
  const quick = values.quick === true
  let only: string[] | null = null
  if (values.only !== undefined) {
    only = values.only.split(',').map((id) => id.trim()).filter((id) => id !== '')
    const unknown = only.filter((id) => !knownFaults.includes(id))
    if (only.length === 0 || unknown.length > 0) {
      throw new RangeError(`expected --only to list faults among ${knownFaults.join(', ')}, got ${JSON.stringify(values.only)}`)
    }
  }
  return Object.freeze({
    quick,
    only,
    phaseSeconds: flagValue(RangeError, 'seconds', values.seconds, integer(3, 120)) ?? (quick ? 3 : 5),
    rate: flagValue(RangeError, 'rate', values.rate, integer(10, 5000)) ?? (quick ? 200 : 300),
    connections: 10,
    hotCities: quick ? 200 : 500,
    coldShare: 0.005,
    outDir: values.out ?? 'faults-results',
    command: ['npm run faults', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ')
  })
}

/** --help: the caller prints USAGE and exits 0. */
export class HelpRequested extends Error {
  constructor () {
    super('help requested')
  }
}
