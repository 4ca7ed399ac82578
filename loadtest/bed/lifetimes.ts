// The engine's lifetimes under an app environment, with the service's own defaults: what the
// peers are configured with, and what makes an answer stale.
import { loadConfig } from '../../src/config.js'
import type { PeerLifetimes } from './peers/peer-server.js'

export function lifetimesOf (appEnv: Readonly<Record<string, string>>): PeerLifetimes {
  const config = loadConfig({ ...appEnv })
  return { ttlSeconds: Math.round(config.cache.ttlMs / 1000), graceSeconds: Math.round(config.cache.graceMs / 1000) }
}
