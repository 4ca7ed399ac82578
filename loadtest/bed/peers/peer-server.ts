// What the load test needs from a peer it starts itself (Varnish, nginx alone): where to send
// load, which process tree to measure, how to stop it; and the lifetimes it is configured with.

export interface PeerServer {
  /** Base URL of the peer, http://127.0.0.1:port. */
  readonly url: string
  /** Root of its process tree (master/manager; its workers are children), for CPU and memory. */
  readonly pid: number
  stop (): Promise<void>
}

/** The engine's lifetimes, as the peer is configured (CACHE_TTL_SECONDS, CACHE_GRACE_SECONDS). */
export interface PeerLifetimes {
  ttlSeconds: number
  graceSeconds: number
}
