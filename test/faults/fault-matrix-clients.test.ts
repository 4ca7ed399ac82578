// The short fault matrix (npm run faults -- --quick), misbehaving clients: slow ones (slowloris,
// never reading) and ones hanging up mid-exchange, through nginx and straight at the app, while
// a steady load runs through nginx. No leak: the workers keep none of their connections.
import { FAULT_GROUPS, faultMatrixGroup } from './fault-expectations.js'

faultMatrixGroup(FAULT_GROUPS.clients)
