// How a cached answer goes on the wire. The default writes the stored bytes straight to Node's
// response with one precomputed header array: no Fastify send pipeline (content-type parsing,
// serializer lookup, onSend hooks, a header object rebuilt per reply) on the hottest path.
// The reply is hijacked, so Fastify does nothing more with it; its onResponse hooks still run
// when the response finishes. src/naive/framework-answer.ts is the naive counterpart.
import type { ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'
import type { CacheEntry } from '../cache/entry.js'

/** What varies per answer besides the entry: freshness headers and where it came from. */
export interface AnswerHead {
  /** 200, or 304 when If-None-Match matched. */
  status: 200 | 304
  cacheControl: string
  /** Seconds, as sent. */
  age: number
  /** X-Cache: HIT-L1, HIT-L2, MISS, STALE. */
  source: string
  serverTiming: string
}

export type WriteAnswer = (reply: FastifyReply, entry: CacheEntry, head: AnswerHead) => void

export const JSON_TYPE = 'application/json; charset=utf-8'

/** Stored bytes, precomputed headers, one writeHead and one end. HEAD is handled by Node (no body). */
export const writeStoredAnswer: WriteAnswer = (reply, entry, head) => {
  writeStoredResponse(reply.hijack().raw, entry, head)
}

/** The same answer on Node's response itself: the route's (hijacked reply) and the hit fast path's. */
export function writeStoredResponse (raw: ServerResponse, entry: CacheEntry, head: AnswerHead): void {
  if (head.status === 304) {
    // RFC 9110 §15.4.5: the validators and caching headers a 200 would carry, no content.
    raw.writeHead(304, [
      'etag', entry.etag,
      'cache-control', head.cacheControl,
      'age', '' + head.age,
      'x-cache', head.source,
      'server-timing', head.serverTiming
    ])
    raw.end()
    return
  }
  raw.writeHead(200, [
    'content-type', JSON_TYPE,
    'content-length', '' + Buffer.byteLength(entry.body),
    'etag', entry.etag,
    'cache-control', head.cacheControl,
    'age', '' + head.age,
    'x-cache', head.source,
    'server-timing', head.serverTiming
  ])
  raw.end(entry.body)
}
