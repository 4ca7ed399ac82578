// results.json: the machine-readable record (schema in schema.ts, documented in SCHEMA.md).
// Validated before it is written: a file that exists is a file `compare` can read.
import { validateResults, type Results } from './schema.js'

export function renderJsonReport (results: Results): string {
  const problems = validateResults(results)
  if (problems.length > 0) throw new Error(`internal error: the results do not match their schema:\n  ${problems.slice(0, 10).join('\n  ')}`)
  return JSON.stringify(results, null, 2) + '\n'
}
