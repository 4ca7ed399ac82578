// /proc readers: memory from status, descriptors and sockets from fd/, children of a process.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { createProcReader, parseStatus } from '../../soak/proc.js'

test('parseStatus: VmRSS and RssAnon in bytes, the parent pid and the name', () => {
  const text = 'Name:\tnode\nState:\tS (sleeping)\nPPid:\t41\nVmRSS:\t  102400 kB\nRssAnon:\t   51200 kB\nRssFile:\t   51200 kB\n'
  assert.deepEqual(parseStatus(text), { name: 'node', ppid: 41, rssBytes: 102400 * 1024, anonBytes: 51200 * 1024 })
  assert.throws(() => parseStatus('Name:\tkthreadd\nPPid:\t0\n'), /VmRSS/)
})

test('this process: memory, and a listening socket counted among its descriptors', async () => {
  const proc = createProcReader()
  const memory = proc.memory(process.pid)!
  assert.ok(memory.rssBytes > memory.anonBytes && memory.anonBytes > 0)
  const before = proc.descriptors(process.pid)!
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const after = proc.descriptors(process.pid)!
    assert.equal(after.sockets, before.sockets + 1)
    assert.ok(after.fds >= before.fds + 1)
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  assert.equal(proc.memory(2 ** 22 + 12345), null, 'a pid that is not there')
  assert.equal(proc.descriptors(2 ** 22 + 12345), null)
})

test('children: the direct children of a process', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' })
  try {
    await new Promise((resolve) => child.once('spawn', resolve))
    assert.ok(createProcReader().children(process.pid).includes(child.pid!))
  } finally {
    child.kill()
  }
})
