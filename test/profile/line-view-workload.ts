// A workload of our own code for the line view's command-line test: run under `node --cpu-prof`,
// it spends about a second in three functions of this repository whose lines no change to src/
// can move (line-view-target.ts and this file), so the test never depends on a recorded fixture
// of an older build.
import { normalizeName, shout } from './line-view-target.js'

const NAMES = ['  New   York  ', 'SAO PAULO', ' Kuala  Lumpur ', 'Rio de Janeiro', '  ST. JOHN\'S ']

function churn (rounds: number): number {
  let total = 0
  for (let i = 0; i < rounds; i++) {
    const name = NAMES[i % NAMES.length]!
    total += normalizeName(name).length
    total += shout(name).length
  }
  return total
}

const until = performance.now() + Number(process.argv[2] ?? 1000)
let sink = 0
while (performance.now() < until) sink += churn(2000)
process.stdout.write(`${sink}\n`)
