// `node --import ./dist/src/profile-agent/preload.js dist/src/main.js` with CACHESTACK_PROFILE_DIR
// set: arms one cluster worker (CACHESTACK_PROFILE_WORKER, default 1) for profiling on demand
// (profile-trigger.ts), so `npm run profile` can profile a running app without changing it, and
// the other workers for memory over time only. The cluster passes execArgv to its workers; the
// primary and the embedded origin stay unarmed. With CACHESTACK_PROFILE_HEAP_DELTA, the profiled
// worker also wraps that one function to measure the heap around its calls (heap-delta.ts).
import cluster from 'node:cluster'
import { installHeapDelta } from './heap-delta.js'
import { armProfiling } from './profile-trigger.js'
import { profilerEnvironment } from './profiler-options.js'

const setting = profilerEnvironment(process.env)
if (setting !== undefined && cluster.isWorker && cluster.worker !== undefined) {
  const workerId = cluster.worker.id
  if (workerId === setting.workerId) {
    // Before the app's modules load: the hook must see the target module's source.
    const heapDelta = setting.heapDelta === null ? undefined : installHeapDelta(setting.heapDelta)
    armProfiling({ options: setting.options, workerId, heapDelta })
  } else {
    armProfiling({ options: setting.options, workerId, mode: 'memory' })
  }
}
