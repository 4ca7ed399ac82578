// The short fault matrix (npm run faults -- --quick), the single redis-server's faults under load:
// killed then restarted, paused (CLIENT PAUSE 3000), slow (DEBUG SLEEP, the breaker opens).
import { FAULT_GROUPS, faultMatrixGroup } from './fault-expectations.js'

faultMatrixGroup(FAULT_GROUPS.redis)
