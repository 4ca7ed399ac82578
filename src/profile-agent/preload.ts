// `node --import ./dist/src/profile-agent/preload.js dist/src/main.js` with CACHESTACK_PROFILE_DIR
// set: arms one cluster worker (CACHESTACK_PROFILE_WORKER, default 1) for profiling on demand
// (profile-trigger.ts), so `npm run profile` can profile a running app without changing it. The cluster
// passes execArgv to its workers; the primary and the embedded origin stay unarmed.
import cluster from 'node:cluster'
import { armProfiling } from './profile-trigger.js'
import { profilerEnvironment } from './profiler-options.js'

const setting = profilerEnvironment(process.env)
if (setting !== undefined && cluster.isWorker && cluster.worker?.id === setting.workerId) {
  armProfiling({ options: setting.options, workerId: setting.workerId })
}
