// The Dockerfile's promises, read off the file (nothing here builds images).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const dockerfile = readFileSync(`${ROOT}docker/Dockerfile`, 'utf8')
const stages = dockerfile.split('\n').filter((line) => /^FROM /i.test(line))
const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '))

test('multi-stage on node:24; the runtime stage takes production dependencies only', () => {
  assert.ok(stages.length >= 2, 'at least a build and a runtime stage')
  for (const stage of stages) assert.match(stage, /^FROM node:24-(alpine|slim|bookworm-slim)\b/)
  assert.match(dockerfile, /npm ci --omit=dev/)
  assert.match(dockerfile, /AS build[\s\S]*npm ci --no-audit[\s\S]*tsc/)
  assert.doesNotMatch(runtime, /npm ci(?! --omit=dev)/, 'no dev install in the runtime stage')
})

test('the runtime stage runs as a non-root user, with a node-based HEALTHCHECK', () => {
  const user = /^USER (\S+)/m.exec(runtime)?.[1]
  assert.ok(user !== undefined && user !== 'root' && user !== '0', `USER ${user}`)
  assert.match(runtime, /HEALTHCHECK [\s\S]*CMD \["node", "docker\/healthcheck\.mjs"\]/)
  assert.doesNotMatch(dockerfile, /curl|wget/)
  assert.ok(existsSync(`${ROOT}docker/healthcheck.mjs`))
})

test('the image carries the nginx template the render step reads', () => {
  assert.match(runtime, /COPY nginx \.\/nginx/)
  assert.ok(existsSync(`${ROOT}nginx/nginx.conf.template`))
})

test('.dockerignore keeps dependencies, build output and git out of the context', () => {
  const ignored = readFileSync(`${ROOT}.dockerignore`, 'utf8').split('\n').map((line) => line.trim())
  for (const entry of ['node_modules', 'dist', '.git']) assert.ok(ignored.includes(entry), entry)
})
