// `npm run bench [filter]`: every micro-benchmark, one after the other, each as ops/s with its
// spread. A micro-benchmark isolates one function on a warm JIT: it ranks alternatives, it
// does not predict a server's req/s (that is loadtest/'s job).
import { cpus } from 'node:os'
import { CityIndex } from '../src/cities/city-index.js'
import { loadCities } from '../src/cities/dataset.js'
import { cityLookupBench } from './city-lookup.bench.js'
import { formatResults, type TaskResult } from './harness.js'
import { l1GetBench } from './l1-get.bench.js'
import { normalizeBench } from './normalize.bench.js'
import { serializeBench } from './serialize.bench.js'
import { tipsBench } from './tips.bench.js'

const filter = process.argv[2]
process.stdout.write(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}\n`)
const dataset = loadCities()
const index = new CityIndex(dataset)
// [name, run, short names]: a suite runs when the filter is part of its name or one of its short names.
const suites: Array<[string, () => Promise<TaskResult[]>, string[]?]> = [
  ['city lookup', () => cityLookupBench(dataset, index)],
  ['key normalization', () => normalizeBench()],
  ['response serialization', () => serializeBench(index.resolve('london')!)],
  // Every L1 policy store's get (hit) against lru-cache's, three repetitions of interleaved rounds.
  ['L1 get', () => l1GetBench(), ['l1']],
  // The method's classic tips measured at three sizes, with ratios and verdicts (docs/tips.md).
  ['tips', () => tipsBench()],
  // The L1 eviction policy study (docs/caching-policies.md): hit ratios against Belady's MIN, then the rule's choice.
  ['policies', async () => (await import('./policies/policies.bench.js')).policiesBench(dataset, index, process.argv.slice(3)), ['l1-policies']],
  // L1 coherence, L1_INVALIDATION=pubsub against tracking: delay, stale reads, Redis cost, restart, failover (docs/scaling.md).
  ['coherence', async () => (await import('./coherence.bench.js')).coherenceBench(process.argv.slice(3)), ['l1-coherence']],
  // Loaded only when run: the peer libraries are devDependencies, and these start a redis-server.
  ['peers: L1 hit', async () => (await import('./peers.bench.js')).peersL1HitBench()],
  ['peers: layered get', async () => (await import('./peers.bench.js')).peersLayeredGetBench()]
]
for (const [name, run, short = []] of suites) {
  if (filter !== undefined && !name.includes(filter) && !short.includes(filter)) continue
  // The heading before the run: a suite that prints as it goes (tips) prints under its own heading.
  process.stdout.write(`\n## ${name}\n`)
  process.stdout.write(`${formatResults(await run())}\n`)
}
