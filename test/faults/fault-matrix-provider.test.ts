// The short fault matrix (npm run faults -- --quick), the weather provider's faults under load,
// injected by the fault proxy between the app and the provider (or by killing it): 503 for
// everything, slower than ORIGIN_TIMEOUT_MS, killed then restarted.
import { FAULT_GROUPS, faultMatrixGroup } from './fault-expectations.js'

faultMatrixGroup(FAULT_GROUPS.provider)
