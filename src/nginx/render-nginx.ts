// The Docker render step: `node dist/src/nginx/render-nginx.js --out <file>` writes nginx.conf
// from the same template as the native stack, with EDGE_CACHE / RATE_LIMIT* / ACCESS_LOG read at
// container start (docker-compose.yml's nginx-config service). Without --out it prints it.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { dockerNginxOptions, renderNginxConfig } from './nginx-config.js'
import { readEdgeEnv } from './edge-env.js'
import { flagValue } from '../cli-options.js'
import { ConfigInvalidError } from '../errors.js'
import { integer } from '../value-rules.js'

try {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'app-host': { type: 'string' }, 'app-port': { type: 'string' } } })
  const appPort = flagValue(ConfigInvalidError, 'app-port', values['app-port'], integer(1, 65535))
  const text = renderNginxConfig(dockerNginxOptions({
    ...readEdgeEnv(process.env),
    ...(values['app-host'] === undefined ? {} : { appHost: values['app-host'] }),
    ...(appPort === undefined ? {} : { appPort })
  }))
  if (values.out === undefined) process.stdout.write(text)
  else {
    writeFileSync(values.out, text)
    process.stderr.write(`nginx config written to ${values.out}\n`)
  }
} catch (err) {
  process.stderr.write(`render-nginx: ${(err as Error).message}\n`)
  process.exit(1)
}
