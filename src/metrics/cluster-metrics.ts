// `/metrics` aggregated over all workers. Any worker may receive the scrape; it asks the primary,
// which gathers every worker's registry with prom-client's AggregatorRegistry over IPC.
import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry, type Registry } from 'prom-client'

const REQUEST = 'cachestack:metrics:request'
const RESPONSE = 'cachestack:metrics:response'

interface MetricsRequest { type: typeof REQUEST, id: number }
interface MetricsResponse { type: typeof RESPONSE, id: number, text?: string, error?: string }

/** Primary side: answer workers' scrape requests with the aggregate. */
export function serveClusterMetrics (): void {
  const aggregator = new AggregatorRegistry()
  cluster.on('message', (worker: Worker, message: MetricsRequest) => {
    if (message?.type !== REQUEST) return
    aggregator.clusterMetrics().then(
      (text) => { if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, text } satisfies MetricsResponse) },
      (err: Error) => { if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, error: err.message } satisfies MetricsResponse) }
    )
  })
}

/** Worker side: expose this worker's registry to the aggregator and return a scrape function. */
export function clusterMetricsSource (registry: Registry, timeoutMs: number): () => Promise<string> {
  // Constructing one installs prom-client's worker-side listener that answers the primary.
  void new AggregatorRegistry()
  AggregatorRegistry.setRegistries([registry])
  const pending = new Map<number, { resolve (text: string): void, reject (err: Error): void, timer: NodeJS.Timeout }>()
  let nextId = 0
  process.on('message', (message: MetricsResponse) => {
    if (message?.type !== RESPONSE) return
    const waiter = pending.get(message.id)
    if (waiter === undefined) return
    pending.delete(message.id)
    clearTimeout(waiter.timer)
    if (message.text !== undefined) waiter.resolve(message.text)
    else waiter.reject(new Error(message.error ?? 'metrics aggregation failed'))
  })
  return () => new Promise<string>((resolve, reject) => {
    const id = ++nextId
    const timer = setTimeout(() => {
      pending.delete(id)
      reject(new Error(`metrics aggregation took over ${timeoutMs} ms`))
    }, timeoutMs)
    pending.set(id, { resolve, reject, timer })
    process.send!({ type: REQUEST, id } satisfies MetricsRequest)
  })
}
