// The short fault matrix (npm run faults -- --quick), Redis failovers for real under load: a Redis
// Cluster master SIGKILLed, and a Sentinel-managed primary SIGKILLed (Debian's redis-sentinel,
// one replica, three sentinels; the app on REDIS_SENTINELS).
import { FAULT_GROUPS, faultMatrixGroup } from './fault-expectations.js'

faultMatrixGroup(FAULT_GROUPS.failover)
