// `nginx -t` on the renderings we ship: native variants, and the Docker render step's output with
// only what cannot exist on this machine substituted (paths, the image's `nginx` user, streams).
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { nativeNginxOptions, renderNginxConfig } from '../../src/nginx/nginx-config.js'
import { testNginxConfig } from '../../stack/nginx-server.js'

const run = promisify(execFile)
const RENDER = fileURLToPath(new URL('../../src/nginx/render-nginx.js', import.meta.url))
const dirs: string[] = []
after(async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }) })

async function workDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cs-nginx-t-'))
  dirs.push(dir)
  return dir
}

const variants = {
  defaults: {},
  'edge cache on': { edgeCache: true },
  'rate limit and access log off': { rateLimit: false as const, accessLog: false },
  'trusted proxies, 4 workers': { trustedProxies: ['10.0.0.0/8', '::1'], workerProcesses: 4 }
}

for (const [name, extra] of Object.entries(variants)) {
  test(`nginx -t accepts the native rendering: ${name}`, async () => {
    const dir = await workDir()
    const file = join(dir, 'nginx.conf')
    await writeFile(file, renderNginxConfig(nativeNginxOptions({ workDir: dir, port: 18080, appPort: 13000, ...extra })))
    const out = await testNginxConfig(file, dir)
    assert.match(out, /test is successful/)
  })
}

test('nginx -t refuses a broken file, and the error quotes nginx', async () => {
  const dir = await workDir()
  const file = join(dir, 'nginx.conf')
  await writeFile(
    file,
    renderNginxConfig(nativeNginxOptions({ workDir: dir, port: 18080, appPort: 13000 })).replace('proxy_http_version 1.1;', 'proxy_http_version;')
  )
  await assert.rejects(testNginxConfig(file, dir), /nginx refused .*\n[\s\S]*invalid number of arguments/)
})

for (const edge of ['on', 'off']) {
  test(`nginx -t accepts the Docker render step's output (EDGE_CACHE=${edge})`, async () => {
    const { stdout } = await run(process.execPath, [RENDER], { env: { ...process.env, EDGE_CACHE: edge, RATE_LIMIT_RPS: '20', RATE_LIMIT_BURST: '40' } })
    assert.match(stdout, /# Generated for: docker/)
    assert.equal(/proxy_cache cs_edge;/.test(stdout), edge === 'on')
    assert.match(stdout, /rate=20r\/s;/)
    const dir = await workDir()
    await mkdir(join(dir, 'logs'))
    const local = stdout
      .replaceAll('/var/cache/nginx', dir)
      .replace('user nginx;', process.getuid?.() === 0 ? 'user root root;' : '')
      .replaceAll('/dev/stderr', join(dir, 'logs/error.log'))
      .replaceAll('/dev/stdout', join(dir, 'logs/access.log'))
    const file = join(dir, 'nginx.conf')
    await writeFile(file, local)
    assert.match(await testNginxConfig(file, dir), /test is successful/)
  })
}

test('the Docker render step names a bad variable and exits 1', async () => {
  await assert.rejects(run(process.execPath, [RENDER], { env: { ...process.env, EDGE_CACHE: 'maybe' } }), (err: { code: number, stderr: string }) => {
    assert.equal(err.code, 1)
    assert.match(err.stderr, /EDGE_CACHE="maybe": expected on or off/)
    return true
  })
})

test('the Docker render step names a bad --app-port as the flag, and exits 1', async () => {
  await assert.rejects(run(process.execPath, [RENDER, '--app-port', '0x10']), (err: { code: number, stderr: string }) => {
    assert.equal(err.code, 1)
    assert.match(err.stderr, /--app-port="0x10": expected an integer from 1 to 65535/)
    return true
  })
})
