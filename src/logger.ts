import { pino, type Logger } from 'pino'
import type { Config } from './config.js'

export function createLogger (config: Pick<Config, 'logLevel' | 'logPretty'>, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: config.logLevel,
    base: { pid: process.pid, ...bindings },
    // Pretty output is for `npm run dev` only: in production the JSON lines are the product.
    ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {})
  })
}
