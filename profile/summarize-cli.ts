// `node dist/profile/summarize-cli.js <file.cpuprofile|file.heapprofile> [top] [lines]`: the
// tables of one recorded profile, for a profile taken elsewhere (node --cpu-prof, DevTools);
// `npm run profile -- --summarize FILE` does the same with named options.
import { summarizeProfileFile } from './summarize-file.js'

const [path, top = '15', lines = '0'] = process.argv.slice(2)
if (path === undefined) {
  process.stderr.write('usage: summarize-cli <file.cpuprofile|file.heapprofile> [top] [lines]\n')
  process.exit(64)
}
process.stdout.write(await summarizeProfileFile(path, { limit: Number(top), lines: Number(lines), color: process.stdout.isTTY === true }) + '\n')
