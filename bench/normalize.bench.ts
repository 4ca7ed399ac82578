// Key normalization: the route's normalizeCityName on its fast path (a plain lower-case word),
// on mixed case with spaces, and outside ASCII (NFC), next to the data set's canonicalName.
import { canonicalName, normalizeCityName } from '../src/cities/normalize.js'
import { runSuite, Sink, type TaskResult } from './harness.js'

const BATCH = 1000

export async function normalizeBench (): Promise<TaskResult[]> {
  const sink = new Sink()
  const each = (name: string, input: string, normalize: (raw: string) => string) => ({
    name,
    batch: BATCH,
    fn: () => { for (let k = 0; k < BATCH; k++) sink.take(normalize(input).length) }
  })
  return await runSuite('key normalization', [
    each("normalizeCityName('london') — fast path", 'london', normalizeCityName),
    each("normalizeCityName(' New  York ')", ' New  York ', normalizeCityName),
    each("normalizeCityName('São Paulo') — NFC", 'São Paulo', normalizeCityName),
    each("canonicalName('New York') — always NFC", 'New York', canonicalName)
  ])
}
