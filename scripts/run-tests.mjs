// Runs every compiled test file with node's test runner (Node 20 has no glob support in --test).
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

function find (dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return find(path)
    return entry.name.endsWith('.test.js') ? [path] : []
  })
}

const filters = process.argv.slice(2)
// Only files whose TypeScript source still exists: a deleted test must not run from a stale dist/.
const hasSource = (file) => existsSync(file.replace(/^dist\//, '').replace(/\.js$/, '.ts'))
const files = find('dist/test').filter(hasSource).filter((file) => filters.length === 0 || filters.some((f) => file.includes(f))).sort()
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}
// One file at a time: integration tests start real clusters, nginx and Redis under load; two heavy
// files side by side on two cores would starve each other's timeouts. The timeout bounds each
// file as well as each test: the README's commands run verbatim (npm start builds first) take a
// minute each on a loaded machine, so a file gets five before it counts as hung.
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=300000', ...files], { stdio: 'inherit' })
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
