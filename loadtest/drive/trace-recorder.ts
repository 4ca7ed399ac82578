// --record-trace FILE: every request path the load test sends, one per line, in the order
// autocannon asked for them, for the L1 policy simulator (npm run bench -- policies). A line
// starting with '#' names the run that follows ("memory · zipf #1 (prime)"). FILE ending in .gz
// is gzipped. The hot path only pushes onto an array; lines go to the file in batches.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { dirname } from 'node:path'
import { finished } from 'node:stream/promises'
import { createGzip, type Gzip } from 'node:zlib'

/** Lines kept before one write: about 100 KB of paths. */
const BATCH_LINES = 4096

export class TraceRecorder {
  readonly #out: WriteStream
  readonly #gzip: Gzip | undefined
  #pending: string[] = []
  #lines = 0

  constructor (readonly file: string, command: string) {
    mkdirSync(dirname(file), { recursive: true })
    this.#out = createWriteStream(file)
    if (file.endsWith('.gz')) {
      this.#gzip = createGzip({ level: 9 })
      this.#gzip.pipe(this.#out)
    }
    this.#write(`# cachestack request trace: one path per line, in send order\n# ${command}\n`)
  }

  /** `nextPath`, with every path it returns recorded under a `# label` line. */
  record (label: string, nextPath: () => string): () => string {
    this.#pending.push(`# ${label}`)
    return () => {
      const path = nextPath()
      this.#pending.push(path)
      this.#lines++
      if (this.#pending.length >= BATCH_LINES) this.#flush()
      return path
    }
  }

  /** Paths recorded so far. */
  get lines (): number {
    return this.#lines
  }

  async close (): Promise<void> {
    this.#flush()
    if (this.#gzip !== undefined) this.#gzip.end()
    else this.#out.end()
    await finished(this.#out)
  }

  #flush (): void {
    if (this.#pending.length === 0) return
    this.#write(this.#pending.join('\n') + '\n')
    this.#pending = []
  }

  #write (text: string): void {
    if (this.#gzip !== undefined) this.#gzip.write(text)
    else this.#out.write(text)
  }
}
