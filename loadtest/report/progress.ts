// Live feedback: a cli-progress bar per run on a terminal; on a pipe or in CI, one plain line
// per finished run instead (bars would fill logs with carriage returns).
import cliProgress from 'cli-progress'

export interface RunProgress {
  tick (elapsedSeconds: number, responses: number): void
  end (line: string): void
}

export interface Progress {
  run (label: string, seconds: number): RunProgress
  /** A line of narration (stack starts, skips). */
  note (line: string): void
}

export function createProgress (enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled) {
    return {
      run: () => ({ tick () {}, end (line) { stream.write(line + '\n') } }),
      note (line) { stream.write(line + '\n') }
    }
  }
  return {
    run (label, seconds) {
      const bar = new cliProgress.SingleBar({
        format: `${label.padEnd(28)} {bar} {value}/{total} s | {rps} req/s`,
        hideCursor: true,
        clearOnComplete: true,
        stream
      }, cliProgress.Presets.shades_classic)
      bar.start(Math.ceil(seconds), 0, { rps: '-' })
      let last = { t: 0, n: 0 }
      return {
        tick (elapsed, responses) {
          const dt = elapsed - last.t
          // autocannon's closing tick comes right after the last one: no rate worth showing.
          if (dt < 0.5) return
          const rps = Math.round((responses - last.n) / dt)
          last = { t: elapsed, n: responses }
          bar.update(Math.min(Math.ceil(seconds), Math.round(elapsed)), { rps: rps.toLocaleString('en-US') })
        },
        end (line) {
          bar.stop()
          stream.write(line + '\n')
        }
      }
    },
    note (line) { stream.write(line + '\n') }
  }
}
