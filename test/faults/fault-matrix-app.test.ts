// The short fault matrix (npm run faults -- --quick), the faults of the app's own processes: a
// worker SIGKILLed, a rolling restart (SIGHUP to the primary), nginx -s reload — under load
// through nginx → 2 workers → Redis + provider. This file also holds that the groups cover the
// whole catalogue.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { matrixCatalogue } from '../../faults/matrix.js'
import { FAULT_GROUPS, EXPECTED, faultMatrixGroup } from './fault-expectations.js'

test('every fault of the catalogue is in exactly one test group, with its expected outcome written', () => {
  const grouped = Object.values(FAULT_GROUPS).flat()
  assert.deepEqual([...grouped].sort(), matrixCatalogue().map((fault) => fault.id).sort())
  assert.equal(new Set(grouped).size, grouped.length)
  for (const id of grouped) assert.ok(EXPECTED[id] !== undefined, id)
})

faultMatrixGroup(FAULT_GROUPS.app)
