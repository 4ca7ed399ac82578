// A trace recorded by `npm run loadtest -- --record-trace FILE` (loadtest/drive/trace-recorder.ts) as a
// simulator stream: each /weather/<city> path resolved to the city the service would answer
// with, as the route does; '#' lines (which run follows) and other routes (/baseline/) skipped.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { CityResolver } from '../../src/cities/city-index.js'
import { StreamBuilder, type Stream } from './stream.js'

/** The trace recorded from a load-test run, checked in (its command is on its second line). */
export const RECORDED_TRACE = 'bench/policies/traces/loadtest-zipf.trace.gz'

const PREFIX = '/weather/'

export interface ParsedTrace {
  stream: Stream
  /** Paths whose city the index did not resolve (the service would answer 404, caching nothing). */
  unresolved: number
  /** The command that recorded it (the header's second line), when present. */
  command: string | undefined
}

export function parseTrace (text: string, index: CityResolver, name: string): ParsedTrace {
  let requests = 0
  const builder = new StreamBuilder((id) => String(id))
  let unresolved = 0
  let command: string | undefined
  let comments = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      if (++comments === 2) command = line.slice(2)
      continue
    }
    if (!line.startsWith(PREFIX)) continue
    const segment = line.slice(PREFIX.length).split('?')[0]!
    let city
    try {
      city = index.resolve(decodeURIComponent(segment))
    } catch {
      city = undefined
    }
    if (city === undefined) {
      unresolved++
      continue
    }
    requests++
    builder.push(city.id)
  }
  const description = `recorded from a load-test run (${basename(name)}): ${requests.toLocaleString('en-US')} requests`
  return { stream: builder.build('recorded', description), unresolved, command }
}

export function readTrace (file: string, index: CityResolver): ParsedTrace {
  const raw = readFileSync(file)
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')
  return parseTrace(text, index, file)
}
