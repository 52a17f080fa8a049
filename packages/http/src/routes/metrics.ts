// Owns GET /metrics: the app's metrics in Prometheus' text exposition, through prom-client, named
// after Kafka's metric group and name (docs/metrics.md). Every stream thread of the worker is in it:
// those on worker threads (numStreamThreads > 1) as of their last report, at most a second old.
import { prometheusRegistry } from '@sluice/runtime/query';
import type { QueryRequest } from '../request.js';
import type { QueryServices } from '../services.js';

const registries = new WeakMap<QueryServices, ReturnType<typeof prometheusRegistry>>();

export async function getMetrics(q: QueryRequest, svc: QueryServices): Promise<void> {
  q.rejectUnknownParameters();
  let registry = registries.get(svc);
  if (!registry) registries.set(svc, (registry = prometheusRegistry(svc.app)));
  const text = await registry.metrics();
  q.res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  q.res.end(text);
}
