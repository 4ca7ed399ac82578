import { pino, type Logger } from 'pino'
import type { LogConfig } from './config.js'

export function createLogger (config: Pick<LogConfig, 'level' | 'pretty'>, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: config.level,
    base: { pid: process.pid, ...bindings },
    // Pretty output is for `npm run dev` only: in production the JSON lines are the product.
    ...(config.pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {})
  })
}
