// Every error answer is JSON with a stable CS_ERR_* code; 5xx details stay in the log.
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isCodedError, RequestInvalidError, RequestTimeoutError, RouteNotFoundError, type ErrorBody } from '../errors.js'

export function errorBody (statusCode: number, code: string, message: string): ErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

function sendError (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  let statusCode: number
  let code: string
  let message: string
  if (isCodedError(error)) {
    ({ statusCode, code, message } = error)
  } else {
    const status = (error as FastifyError).statusCode
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own client errors (bad URL, body too large, …) keep their status.
      statusCode = status
      code = 'CS_ERR_REQUEST_INVALID'
      message = error.message
    } else {
      statusCode = 500
      code = 'CS_ERR_INTERNAL'
      message = 'Internal error'
    }
  }
  if (statusCode >= 500) request.log.error({ reqId: request.id, err: error }, 'request failed')
  reply.code(statusCode).type('application/json; charset=utf-8').send(errorBody(statusCode, code, message))
}

export interface ErrorHandlingOptions {
  /** Called for an answer to a request that matched no route (routes count their own). */
  onUnmatched?: (request: FastifyRequest, reply: FastifyReply) => void
}

export function registerErrorHandling (app: FastifyInstance, { onUnmatched }: ErrorHandlingOptions = {}): void {
  app.setErrorHandler(sendError)
  app.setNotFoundHandler((request, reply) => {
    sendError(new RouteNotFoundError(request.method, request.url.slice(0, 200)), request, reply)
    onUnmatched?.(request, reply)
  })
}

/**
 * Fastify's clientErrorHandler: what Node's HTTP parser rejects (bytes a request line may not
 * hold, a head over the size limit, a head that came too slowly) never reaches a route, yet gets
 * a JSON error with a stable code like every other answer. Written on the socket itself, which
 * is then closed: the parser cannot go on after an error.
 */
export function answerClientError (err: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  // Headers too large: 400 CS_ERR_REQUEST_INVALID, as nginx answers the same in front of us.
  const error = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? new RequestTimeoutError()
    : new RequestInvalidError(err.code === 'HPE_HEADER_OVERFLOW' ? 'request headers too large' : 'malformed request')
  const status = error.statusCode!
  const body = JSON.stringify(errorBody(status, error.code, error.message))
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
    )
  }
  socket.destroy()
}
