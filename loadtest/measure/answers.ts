// What was answered, not only how fast: each answer's stamp (loadtest/bed/provider-proxy.ts) says when its
// data left the provider and which revision it is. From them, whatever served it (our engine,
// Varnish, nginx, undici): a stale answer is one whose data is older than the TTL (RFC 9111
// §4.2: freshness lifetime exceeded), an old one after a purge is one of a revision before it.
// Pure bookkeeping: the runner feeds it from loadtest/drive/load.ts's `inspect` and reads windows afterwards.
import { readStamp } from '../bed/provider-proxy.js'

/** Slack on the TTL before an answer counts as stale: the stamp is taken when the provider's
 * answer passes the proxy, a few milliseconds before a cache stores it and starts its clock. */
export const STALE_TOLERANCE_MS = 250

export interface AnswerLogOptions {
  /** The freshness lifetime (CACHE_TTL_SECONDS), ms. */
  ttlMs: number
  /** The purged city's provider id: its answers' revisions are kept. @default none */
  watchCityId?: number
  /** Wall clock the stamps are compared with (the proxy's, in this process). @default Date.now */
  now?: () => number
}

/** A growable Float64Array (the load stops at its response cap anyway). */
class Samples {
  #data = new Float64Array(1024)
  #length = 0
  push (value: number): void {
    if (this.#length === this.#data.length) {
      const next = new Float64Array(this.#data.length * 2)
      next.set(this.#data)
      this.#data = next
    }
    this.#data[this.#length++] = value
  }

  get length (): number { return this.#length }
  at (i: number): number { return this.#data[i]! }
}

export class AnswerLog {
  readonly #ttlMs: number
  readonly #now: () => number
  readonly #prefixes: readonly string[]
  /** ms after the load started, per 2xx answer with a stamp, and whether it was stale (1) or not (0). */
  readonly #at = new Samples()
  readonly #stale = new Samples()
  /** The watched city's answers: when, and their revision. */
  readonly #watchedAt = new Samples()
  readonly #watchedRevision = new Samples()
  /** 2xx answers without a stamp (a route that does not reach the provider, or a foreign body). */
  unstamped = 0

  constructor ({ ttlMs, watchCityId, now = Date.now }: AnswerLogOptions) {
    if (!(ttlMs > 0)) throw new RangeError(`expected a positive TTL, got ${ttlMs}`)
    this.#ttlMs = ttlMs
    this.#now = now
    // The app's report starts with the city, the provider's own body (nginx alone) with its id.
    this.#prefixes = watchCityId === undefined ? [] : [`{"city":{"id":${watchCityId},`, `{"cityId":${watchCityId},`]
  }

  /** loadtest/drive/load.ts's `inspect`: every response, before it is counted. */
  record (status: number, body: string, atMs: number): void {
    if (status < 200 || status >= 300) return
    const stamp = readStamp(body)
    if (stamp === undefined) {
      this.unstamped++
      return
    }
    this.#at.push(atMs)
    this.#stale.push(this.#now() - stamp.fetchedAtMs > this.#ttlMs + STALE_TOLERANCE_MS ? 1 : 0)
    for (const prefix of this.#prefixes) {
      if (body.startsWith(prefix)) {
        this.#watchedAt.push(atMs)
        this.#watchedRevision.push(stamp.revision)
        break
      }
    }
  }

  /** Stale 2xx answers that arrived in [fromMs, toMs). */
  staleBetween (fromMs = -Infinity, toMs = Infinity): number {
    let n = 0
    for (let i = 0; i < this.#at.length; i++) {
      const at = this.#at.at(i)
      if (at >= fromMs && at < toMs && this.#stale.at(i) === 1) n++
    }
    return n
  }

  /** Stale answers per second of the run (index = second), over `seconds` buckets. */
  stalePerSecond (seconds: number): number[] {
    const out = new Array<number>(Math.max(0, seconds)).fill(0)
    for (let i = 0; i < this.#at.length; i++) {
      const second = Math.floor(this.#at.at(i) / 1000)
      if (this.#stale.at(i) === 1 && second >= 0 && second < out.length) out[second]!++
    }
    return out
  }

  /** The watched city's answers, in arrival order. */
  watched (): Array<{ atMs: number, revision: number }> {
    return Array.from({ length: this.#watchedAt.length }, (_, i) => ({ atMs: this.#watchedAt.at(i), revision: this.#watchedRevision.at(i) }))
  }
}

export interface PurgeFigures {
  /** The watched city's answers that arrived after the purge was sent. */
  answersAfter: number
  /** …of which carried a revision from before the data changed. */
  oldAnswersAfter: number
  /** From sending the purge to the first answer of the new revision; null when none came. */
  firstNewMs: number | null
  /** …to the last answer of an old revision; null when none came after it. */
  lastOldMs: number | null
  /** From sending the purge until every answer is the new one: the last old answer's arrival (0
   * when none came after the purge); null when the run ended on an old one, or without answers. */
  timeToFreshMs: number | null
}

/** Figures of one purge, from the watched city's answers (times on the load's clock). */
export function purgeFigures (answers: ReadonlyArray<{ atMs: number, revision: number }>, purgedAtMs: number, newRevision: number): PurgeFigures {
  const after = answers.filter((a) => a.atMs >= purgedAtMs)
  let firstNew: number | null = null
  let lastOld: number | null = null
  let old = 0
  for (const a of after) {
    if (a.revision >= newRevision) {
      if (firstNew === null || a.atMs < firstNew) firstNew = a.atMs
    } else {
      old++
      if (lastOld === null || a.atMs > lastOld) lastOld = a.atMs
    }
  }
  const last = after.reduce<{ atMs: number, revision: number } | undefined>((found, a) => (found === undefined || a.atMs >= found.atMs ? a : found), undefined)
  const freshAtEnd = last !== undefined && last.revision >= newRevision
  return {
    answersAfter: after.length,
    oldAnswersAfter: old,
    firstNewMs: firstNew === null ? null : firstNew - purgedAtMs,
    lastOldMs: lastOld === null ? null : lastOld - purgedAtMs,
    timeToFreshMs: !freshAtEnd ? null : lastOld === null ? 0 : lastOld - purgedAtMs
  }
}
