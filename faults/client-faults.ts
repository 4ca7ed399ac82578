// Misbehaving clients, on raw sockets: slow ones that hold a connection open while they trickle
// in a request head (slowloris) or never read their answer, and impatient ones that hang up in
// the middle of an exchange — before the answer (the server is still fetching it) or after its
// first bytes (the server is writing it).
import { connect, type Socket } from 'node:net'

export interface Target {
  host: string
  port: number
}

export function targetOf (url: string): Target {
  const parsed = new URL(url)
  return { host: parsed.hostname, port: Number(parsed.port) }
}

export interface SlowClients {
  /** Connections still open from our side. */
  open (): number
  /** Connections the server closed by itself (its own timeout). */
  closedByServer (): number
  /** Closes every connection still open. */
  close (): void
}

/**
 * `count` connections, each sending a request head one byte every `byteIntervalMs` and never
 * finishing it (slowloris); with `complete: true` they send a full request at once and then
 * never read (the answer waits in the kernel's buffers).
 */
export function slowClients (target: Target, options: { count: number, path: string, byteIntervalMs: number, complete: boolean }): SlowClients {
  const sockets = new Set<Socket>()
  let closedByServer = 0
  let closing = false
  const head = `GET ${options.path} HTTP/1.1\r\nHost: ${target.host}\r\nUser-Agent: fault-matrix-slow-client\r\nX-Padding: ${'x'.repeat(64)}\r\n`
  for (let i = 0; i < options.count; i++) {
    const socket = connect(target.port, target.host)
    sockets.add(socket)
    socket.on('error', () => {})
    if (options.complete) {
      // The whole request at once, then never a read: the answer sits in our receive buffer.
      socket.once('connect', () => socket.write(head + '\r\n'))
      socket.pause()
    } else {
      let sent = 0
      const timer = setInterval(() => {
        if (socket.destroyed || sent >= head.length) return
        socket.write(head[sent++]!)
      }, options.byteIntervalMs)
      socket.once('close', () => clearInterval(timer))
      socket.resume() // an error answer (408) is read, and the close seen
    }
    socket.once('close', () => {
      sockets.delete(socket)
      if (!closing) closedByServer++
    })
  }
  return {
    open: () => sockets.size,
    closedByServer: () => closedByServer,
    close () {
      closing = true
      for (const socket of sockets) socket.destroy()
    }
  }
}

export interface HangUpOutcome {
  /** Hung up before any byte of the answer. */
  beforeAnswer: number
  /** Hung up after the first bytes of the answer arrived. */
  midAnswer: number
  /** The answer was complete before we could hang up. */
  completed: number
}

/**
 * One GET on a fresh connection, hung up after `afterMs` (before the answer, when the server
 * is slower than that), or at the first bytes of the answer when `atFirstByte`.
 */
export function hangUp (target: Target, path: string, options: { afterMs: number, atFirstByte: boolean }): Promise<keyof HangUpOutcome> {
  return new Promise((resolve) => {
    const socket = connect(target.port, target.host)
    let outcome: keyof HangUpOutcome | undefined
    const finish = (what: keyof HangUpOutcome): void => {
      if (outcome !== undefined) return
      outcome = what
      clearTimeout(timer)
      socket.destroy()
      resolve(what)
    }
    socket.on('error', () => finish('beforeAnswer'))
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${target.host}\r\nUser-Agent: fault-matrix-hang-up\r\n\r\n`))
    let received = ''
    socket.on('data', (chunk: Buffer) => {
      if (options.atFirstByte) {
        finish('midAnswer')
        return
      }
      received += chunk.toString('latin1')
      const headEnd = received.indexOf('\r\n\r\n')
      const length = /\r\ncontent-length: *(\d+)/i.exec(received)
      if (headEnd !== -1 && length !== null && received.length - headEnd - 4 >= Number(length[1])) finish('completed')
    })
    socket.once('close', () => finish(received === '' ? 'beforeAnswer' : 'midAnswer'))
    const timer = setTimeout(() => finish(received === '' ? 'beforeAnswer' : 'midAnswer'), options.afterMs)
  })
}
