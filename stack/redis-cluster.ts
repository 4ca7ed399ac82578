// A real Redis Cluster on loopback: N masters with R replicas each, from `redis-server
// --cluster-enabled yes` joined by `redis-cli --cluster create`. For `npm run stack -- --redis
// cluster`, the tests (failover) and the load tests (per-shard key counts).
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { requireBinary } from './binaries.js'
import { freePort } from './free-port.js'
import { startRedisServer, type RedisServer } from './redis-server.js'

const run = promisify(execFile)

export interface RedisClusterOptions {
  /** @default 3 */
  masters?: number
  /** @default 1 */
  replicasPerMaster?: number
  /** How long a node may be unreachable before a failover, ms. @default 1000 */
  nodeTimeoutMs?: number
  /** Per-node memory bound (LRU eviction, as a cache wants). @default '128mb' */
  maxMemory?: string
}

export interface ClusterNodeInfo {
  readonly port: number
  readonly role: 'master' | 'replica'
  /** Keys this node holds (DBSIZE); replicas mirror their master. */
  readonly keys: number
}

export interface RedisCluster {
  readonly nodes: readonly RedisServer[]
  /** Seeds for REDIS_CLUSTER_NODES: `127.0.0.1:p1,127.0.0.1:p2,…`. */
  readonly seeds: string
  /** Role and key count of every live node, as the cluster sees it now. */
  describe (): Promise<ClusterNodeInfo[]>
  /** Resolves once every slot is served and the cluster says ok. */
  waitUntilHealthy (timeoutMs?: number): Promise<void>
  stop (): Promise<void>
}

/** A port whose cluster-bus twin (port + 10000) is free too. */
async function clusterPort (): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort()
    if (port + 10_000 > 65_535) continue
    const busFree = await new Promise<boolean>(resolve => {
      const probe = createServer()
      probe.once('error', () => resolve(false))
      probe.listen(port + 10_000, '127.0.0.1', () => probe.close(() => resolve(true)))
    })
    if (busFree) return port
  }
  throw new Error('no free port pair (port, port + 10000) for a cluster node')
}

async function clusterInfo (port: number): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 })
  client.on('error', () => {})
  try {
    await client.connect()
    return String(await client.call('CLUSTER', 'INFO'))
  } finally {
    client.disconnect()
  }
}

export async function startRedisCluster (options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const { masters = 3, replicasPerMaster = 1, nodeTimeoutMs = 1000, maxMemory = '128mb' } = options
  if (masters < 3) throw new TypeError(`a Redis Cluster needs at least 3 masters, got ${masters}`)
  const cli = requireBinary('redis-cli')
  const dir = await mkdtemp(join(tmpdir(), 'cachestack-redis-cluster-'))
  const nodes: RedisServer[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map(node => node.stop().catch(() => {})))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++) {
      const port = await clusterPort()
      nodes.push(await startRedisServer({
        port,
        maxMemory,
        args: [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', String(nodeTimeoutMs),
          '--dir', dir
        ]
      }))
    }
    await run(cli, [
      '--cluster', 'create', ...nodes.map(n => `127.0.0.1:${n.port}`),
      '--cluster-replicas', String(replicasPerMaster),
      '--cluster-yes'
    ], { timeout: 30_000 })
  } catch (err) {
    await stop()
    throw new Error(`could not create the Redis Cluster: ${(err as Error).message}`, { cause: err })
  }

  const cluster: RedisCluster = {
    nodes,
    seeds: nodes.map(n => `127.0.0.1:${n.port}`).join(','),
    async describe () {
      const infos: ClusterNodeInfo[] = []
      for (const node of nodes) {
        if (node.process.exitCode !== null || node.process.signalCode !== null) continue
        const client = new Redis({ port: node.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null })
        client.on('error', () => {})
        try {
          const role = String(await client.call('ROLE'))
          infos.push({ port: node.port, role: role.startsWith('master') ? 'master' : 'replica', keys: await client.dbsize() })
        } catch {
          // a node dying while we ask is not an answer
        } finally {
          client.disconnect()
        }
      }
      return infos
    },
    async waitUntilHealthy (timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const live = nodes.filter(n => n.process.exitCode === null && n.process.signalCode === null)
        const states = await Promise.all(live.map(n => clusterInfo(n.port).then(info => /cluster_state:ok/.test(info), () => false)))
        if (states.length > 0 && states.every(Boolean)) return
        if (Date.now() > deadline) throw new Error(`the Redis Cluster was not healthy within ${timeoutMs} ms`)
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    },
    stop
  }
  await cluster.waitUntilHealthy()
  return cluster
}
