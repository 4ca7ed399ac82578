// `npm run loadtest:compare -- a.json b.json [--markdown]`: side-by-side deltas of two runs.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { renderComparison } from './report/diff-runs.js'
import { parseResults } from './report/schema.js'

const USAGE = 'Usage: npm run loadtest:compare -- A/results.json B/results.json [--markdown]\n'

function main (): number {
  let parsed
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: { markdown: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
    })
  } catch (err) {
    process.stderr.write(`loadtest:compare: ${(err as Error).message}\n${USAGE}`)
    return 64
  }
  if (parsed.values.help === true) {
    process.stdout.write(USAGE)
    return 0
  }
  if (parsed.positionals.length !== 2) {
    process.stderr.write(`loadtest:compare: expected two results files, got ${parsed.positionals.length}\n${USAGE}`)
    return 64
  }
  const [pathA, pathB] = parsed.positionals as [string, string]
  try {
    const a = parseResults(readFileSync(pathA, 'utf8'), pathA)
    const b = parseResults(readFileSync(pathB, 'utf8'), pathB)
    process.stdout.write(renderComparison(a, b, { a: pathA, b: pathB }, parsed.values.markdown === true ? 'markdown' : 'text'))
    return 0
  } catch (err) {
    process.stderr.write(`loadtest:compare: ${(err as Error).message}\n`)
    return 1
  }
}

process.exitCode = main()
