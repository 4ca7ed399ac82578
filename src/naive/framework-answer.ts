// The naive answer writer of the ladder's rungs before "tricks": headers set one at a time on
// Fastify's reply and the body handed to reply.send, which parses the content type, looks for a
// serializer, runs the onSend hooks and builds the header object again for every answer —
// what a first version pays without thinking about it. NAIVE=serialize also turns off the hit
// fast path (src/routes/hit-fast-path.ts), so every hit goes through Fastify's router too. Same
// status, headers and body as src/routes/answer.ts's writeStoredAnswer (a test holds them equal).
import type { WriteAnswer } from '../routes/answer.js'
import { JSON_TYPE } from '../routes/answer.js'

export const writeFrameworkAnswer: WriteAnswer = (reply, entry, head) => {
  reply
    .header('etag', entry.etag)
    .header('cache-control', head.cacheControl)
    .header('age', head.age)
    .header('x-cache', head.source)
    .header('server-timing', head.serverTiming)
  if (head.status === 304) {
    reply.code(304).send()
    return
  }
  reply.header('content-type', JSON_TYPE).send(entry.body)
}
