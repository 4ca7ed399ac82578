// The matrix's load counts what autocannon does not: a request written on a kept-alive
// connection that the server closes right after an answer (as a retiring nginx worker does) is
// never answered, and autocannon neither counts it nor stops timing the next answers from it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { runTraffic } from '../../faults/traffic.js'

/** Answers every request with keep-alive, but closes each connection 5 ms after its 5th answer (never reading the next). */
async function closingServer (): Promise<{ url: string, close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let buffered = ''
    let answered = 0
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1')
      let end: number
      while ((end = buffered.indexOf('\r\n\r\n')) !== -1 && answered < 5) {
        buffered = buffered.slice(end + 4)
        const body = '{"ok":true}'
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Cache: HIT-L1\r\n` +
          `Connection: keep-alive\r\n\r\n${body}`)
        if (++answered === 5) setTimeout(() => socket.end(), 5) // FIN, as nginx closes: no error for the client
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  }
}

test('requests lost on a closing kept-alive connection are counted, apart from errors, and do not skew later latencies', async () => {
  const server = await closingServer()
  try {
    const record = await runTraffic({
      url: server.url,
      durationSeconds: 2,
      rate: 200,
      connections: 2,
      timeoutSeconds: 5,
      next: () => ({ path: '/weather/paris', cold: false })
    })
    assert.ok(record.atMs.length >= 20, `answers: ${record.atMs.length}`)
    assert.ok(record.unansweredAtMs.length >= 2, `lost requests counted: ${record.unansweredAtMs.length}`)
    assert.equal(record.clientErrors, 0, 'autocannon saw no error')
    assert.equal(record.sentAfterCloseAtMs.length, 0, 'no answer announced the close')
    const slowest = Math.max(...record.latencyMs)
    assert.ok(slowest < 500, `latencies are per request, not from the lost one: slowest ${slowest.toFixed(1)} ms`)
    assert.ok(record.source.every((s) => s === 1), 'X-Cache read on every answer')
  } finally {
    await server.close()
  }
})
