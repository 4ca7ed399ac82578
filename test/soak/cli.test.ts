// `npm run soak -- …`: flags to validated options, and the app settings sized to the run.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseCommandLine } from '../../soak/cli.js'
import { appSettings } from '../../soak/app-settings.js'
import { DEFAULTS, type SoakOptions } from '../../soak/options.js'

const NOW = new Date('2026-01-02T03:04:05.678Z')
const options = (argv: string[]): Readonly<SoakOptions> => {
  const parsed = parseCommandLine(argv, NOW)
  assert.equal(parsed.help, false)
  return (parsed as { options: Readonly<SoakOptions> }).options
}

test('defaults: 10 minutes at 300 req/s, a sample every 5 s, results under soak-results/<timestamp>', () => {
  const o = options([])
  assert.equal(o.durationSeconds, 600)
  assert.equal(o.rate, DEFAULTS.rate)
  assert.equal(o.intervalSeconds, 5)
  assert.equal(o.outDir, 'soak-results/2026-01-02T03-04-05Z')
  assert.ok(Object.isFrozen(o))
})

test('--minutes, --seconds, --rate and --app-env', () => {
  assert.equal(options(['--minutes', '30']).durationSeconds, 1800)
  assert.equal(options(['--seconds', '45', '--interval', '1']).durationSeconds, 45)
  assert.equal(options(['--rate', '250']).rate, 250)
  assert.deepEqual(options(['--app-env', 'CACHE_TTL_SECONDS=300', '--app-env', 'L1_MAX_ENTRIES=10000']).appEnv,
    { CACHE_TTL_SECONDS: '300', L1_MAX_ENTRIES: '10000' })
  assert.deepEqual(options(['--mix', 'hit=0.5,cold=0.5']).mix, { hit: 0.5, conditional: 0, cold: 0.5, purge: 0, invalid: 0 })
  assert.equal(parseCommandLine(['--help']).help, true)
})

test('bad flags are named with the value and what was expected', () => {
  assert.throws(() => options(['--minutes', '1', '--seconds', '30']), /not both/)
  assert.throws(() => options(['--rate', 'fast']), /rate="fast": expected a number/)
  assert.throws(() => options(['--rate', '0']), /rate=0/)
  assert.throws(() => options(['--seconds', '40']), /interval=5: expected at least 8 samples/)
  assert.throws(() => options(['--mix', 'hit=0.5']), /summing to 1/)
  assert.throws(() => options(['--mix', 'hits=1']), /kind=share/)
  assert.throws(() => options(['--app-env', 'lower=1']), /app-env/)
  assert.throws(() => options(['extra']), /flags only/)
  assert.throws(() => options(['--nope']), /Unknown option/)
})

test('app settings: lifetimes and the L1 bound are reached in the first quarter of the run', () => {
  const ten = appSettings({ durationSeconds: 600, rate: 300, mix: DEFAULTS.mix, workers: 2, appEnv: {} })
  // Keys live fresh + grace; every one written in the first quarter is gone from Redis by its end.
  assert.ok(ten.ttlSeconds + ten.graceSeconds <= 600 / 4, `${ten.ttlSeconds} + ${ten.graceSeconds} s`)
  // Cold misses alone fill each worker's L1 to its bound within the first quarter.
  const coldPerWorker = (300 * DEFAULTS.mix.cold) / 2
  assert.ok(ten.l1MaxEntries <= coldPerWorker * 150 + 1, `L1_MAX_ENTRIES=${ten.l1MaxEntries}`)
  assert.equal(ten.env.L1_MAX_ENTRIES, String(ten.l1MaxEntries))
  assert.match(ten.purgeToken, /^[\x21-\x7e]{16,}$/)
  assert.notEqual(ten.purgeToken, appSettings({ durationSeconds: 600, rate: 300, mix: DEFAULTS.mix, workers: 2, appEnv: {} }).purgeToken)
  // --app-env wins over the sizing (to soak the defaults, say).
  const defaults = appSettings({ durationSeconds: 600, rate: 300, mix: DEFAULTS.mix, workers: 2, appEnv: { CACHE_TTL_SECONDS: '300' } })
  assert.equal(defaults.ttlSeconds, 300)
})
