// Owns the OpenAPI 3.1 document of the query routes (served at /v1/openapi.json): every route, its
// parameters, answers and error codes, so clients in any language can be generated from it; also
// GET /metrics (Prometheus text) and the console page at GET /.
import { HttpErrorCodes } from './errors.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string): Json => ({ description, content: { 'application/json': { schema } } });
const errors = (...statuses: number[]): Json =>
  Object.fromEntries(
    statuses.map((s) => [
      String(s),
      json(ref('Error'), { 400: 'Malformed key or parameter', 401: 'Missing or wrong bearer token', 404: 'Unknown store, key or route', 503: 'Rebalancing, restoring, or the owner cannot be reached now; retry after Retry-After seconds' }[s]!),
    ]),
  );

const path = (name: string, description: string): Json => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const query = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({ name, in: 'query', required: false, description, schema });
const store = path('store', 'Store name');
const key = path('key', "Key, written for the store's key serde: text (String), a number (Integer, Long, Double…), true/false, base64 (bytes), JSON text (Json and other serdes); percent-encoded");
const stale = query('stale', 'Also let a restoring or standby copy answer (possibly behind)', { type: 'boolean' });
const limit = query('limit', 'Items per page (bounded by the server)', { type: 'integer', minimum: 1 });
const cursor = query('cursor', "The previous page's `next`, unchanged");
const time = (name: string, d: string) => query(name, `${d}: epoch milliseconds or ISO-8601`, { type: 'string' });
const servedBy = { type: 'string', description: 'host:port of the worker whose store answered' };

export function openApiDocument(basePath: string, auth: boolean, served: { metrics: boolean; console: boolean } = { metrics: true, console: true }): Json {
  const get = (summary: string, parameters: Json[], ok: Json, errs: number[]): Json => ({
    get: { summary, parameters, responses: { 200: ok, ...errors(...(auth ? [...errs, 401] : errs)) }, ...(auth ? { security: [{ bearer: [] }] } : {}) },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice interactive queries',
      version: '1',
      description: "Read the state stores of a Sluice application from any of its workers: a worker that does not hold a key forwards the request to the one that does. Lists are pages: pass `next` back as `cursor`.",
    },
    servers: [{ url: basePath || '/' }],
    paths: {
      '/v1/stores': get('The queryable stores', [], json({ type: 'object', properties: { stores: { type: 'array', items: ref('Store') } } }, 'Stores'), []),
      '/v1/stores/{store}/keys': get(
        "One page of a key-value store's keys, merged from every worker in key order",
        [store, query('from', 'First key (inclusive)'), query('to', 'Last key (inclusive)'), query('prefix', 'Only keys starting with this text (String keys)'), limit, cursor, stale],
        json({ type: 'object', properties: { items: { type: 'array', items: ref('Entry') }, next: { type: ['string', 'null'] }, servedBy: { type: 'array', items: servedBy } } }, 'A page of entries'),
        [400, 404, 503],
      ),
      '/v1/stores/{store}/keys/{key}': get('The value of one key of a key-value store', [store, key, stale], json(ref('KeyAnswer'), 'The entry'), [400, 404, 503]),
      '/v1/stores/{store}/keys/{key}/metadata': get(
        "Where a key lives: its partition and the workers hosting it",
        [store, key],
        json({ type: 'object', properties: { store: { type: 'string' }, key: {}, partition: { type: 'integer' }, activeHost: { type: ['string', 'null'] }, standbyHosts: { type: 'array', items: { type: 'string' } } } }, 'Key metadata'),
        [400, 404, 503],
      ),
      '/v1/stores/{store}/keys/{key}/windows': get(
        "A key's windows whose start is within [from, to], oldest first",
        [store, key, time('from', 'Earliest window start'), time('to', 'Latest window start'), limit, cursor, stale],
        json(ref('WindowPage'), 'A page of windows'),
        [400, 404, 503],
      ),
      '/v1/stores/{store}/keys/{key}/sessions': get(
        "A key's sessions that end at or after `from` and start at or before `to`, oldest first",
        [store, key, time('from', 'Earliest session end'), time('to', 'Latest session start'), limit, cursor, stale],
        json(ref('WindowPage'), 'A page of sessions'),
        [400, 404, 503],
      ),
      '/v1/instances': get(
        'The fleet: every worker, what it hosts, its state, tasks and store lags; and which worker hosts each partition of each store',
        [],
        json({ type: 'object', properties: { instances: { type: 'array', items: ref('Instance') }, stores: { type: 'object', additionalProperties: ref('StorePartitions') } } }, 'The fleet'),
        [503],
      ),
      '/v1/instance': get('This worker: its state, threads, tasks, consumer lag per partition, store lags, throughput and dropped records', [], json(ref('Instance'), 'This worker'), []),
      '/v1/topology': get(
        "The app's topology (Topology#describe()): sub-topologies with their nodes, source and sink topics and stores; global stores; Kafka Streams' text form",
        [],
        json({ type: 'object', properties: { subtopologies: { type: 'array', items: ref('Subtopology') }, globalStores: { type: 'array', items: ref('Subtopology') }, text: { type: 'string' } } }, 'The topology'),
        [],
      ),
      ...(served.metrics
        ? {
            '/metrics': {
              get: {
                summary: "This worker's metrics in Prometheus text format: Kafka Streams' group and metric names in snake_case, counters ending in _total, times in seconds (every stream thread of the worker)",
                responses: { 200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } }, ...(auth ? errors(401) : {}) },
                ...(auth ? { security: [{ bearer: [] }] } : {}),
              },
            },
          }
        : {}),
      ...(served.console
        ? { '/': { get: { summary: 'The live console: topology, task placement, throughput, lag, restore progress and dropped records, refreshing every 2 s (HTML; with a token, open it as /#token=<token>)', responses: { 200: { description: 'The console page', content: { 'text/html': { schema: { type: 'string' } } } } } } } }
        : {}),
      '/v1/openapi.json': get('This document', [], json({ type: 'object' }, 'OpenAPI document'), []),
      '/health/live': { get: { summary: 'The worker process is up', responses: { 200: json({ type: 'object' }, 'Up') } } },
      '/health/ready': { get: { summary: 'Ready only while the app is RUNNING', responses: { 200: json({ type: 'object' }, 'Running'), ...errors(503) } } },
    },
    components: {
      ...(auth ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', enum: Object.values(HttpErrorCodes) }, message: { type: 'string' } } } },
        },
        Store: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            kind: { type: 'string', enum: ['keyValue', 'timestampedKeyValue', 'window', 'timestampedWindow', 'session'] },
            keySerde: { type: 'string' },
            partitions: { type: ['integer', 'null'] },
          },
        },
        Entry: {
          type: 'object',
          description: 'Keys and values as JSON: numbers stay numbers, 64-bit integers beyond 2^53 are strings, bytes base64',
          properties: { key: {}, value: {}, timestamp: { type: 'integer', description: 'Timestamped stores: the record timestamp of the value' } },
        },
        KeyAnswer: {
          allOf: [ref('Entry'), { type: 'object', properties: { partition: { type: 'integer' }, servedBy }, required: ['key', 'value', 'partition', 'servedBy'] }],
        },
        WindowPage: {
          type: 'object',
          properties: {
            key: {},
            items: {
              type: 'array',
              items: { type: 'object', properties: { window: { type: 'object', properties: { start: { type: 'integer' }, end: { type: 'integer' } } }, value: {}, timestamp: { type: 'integer' } } },
            },
            next: { type: ['string', 'null'] },
            partition: { type: 'integer' },
            servedBy,
          },
        },
        Instance: {
          type: 'object',
          properties: {
            endpoint: { type: 'string' },
            self: { type: 'boolean' },
            reachable: { type: 'boolean' },
            state: { type: 'string' },
            activeTasks: { type: 'array', items: { type: 'object' } },
            standbyTasks: { type: 'array', items: { type: 'object' } },
            threads: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, state: { type: 'string' }, activeTasks: { type: 'array', items: { type: 'string' } }, standbyTasks: { type: 'array', items: { type: 'string' } } } } },
            consumerLags: {
              type: 'array',
              description: "Consumer lag (records-lag) of each input partition this worker fetched, as of its last fetch",
              items: { type: 'object', properties: { topic: { type: 'string' }, partition: { type: 'integer' }, lag: { type: 'integer' } } },
            },
            metrics: {
              type: 'object',
              description: "Sums over the worker's stream threads: process-total, process-rate, poll-total, commit-total, dropped-records-total, dead-letter-records-total, restore-remaining-records; and per task",
              properties: {
                processTotal: { type: 'number' },
                processRate: { type: 'number' },
                pollTotal: { type: 'number' },
                commitTotal: { type: 'number' },
                droppedRecordsTotal: { type: 'number' },
                deadLetterRecordsTotal: { type: 'number', description: 'Records sent to the dead letter queue topic' },
                restoreRemainingRecords: { type: 'number' },
                tasks: { type: 'object', additionalProperties: { type: 'object', properties: { droppedRecordsTotal: { type: 'number' }, restoreRemainingRecords: { type: 'number' } } } },
              },
            },
            lags: { type: ['object', 'null'], description: 'store → partition → { current, end, lag }: how far each local store copy is behind its changelog' },
            stores: { type: 'array', items: { type: 'string' } },
            standbyStores: { type: 'array', items: { type: 'string' } },
          },
        },
        Subtopology: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            sourceTopics: { type: 'array', items: { type: 'string' } },
            sinkTopics: { type: 'array', items: { type: 'string' } },
            stores: { type: 'array', items: { type: 'string' } },
            nodes: { type: 'array', items: { type: 'object', properties: { type: { type: 'string', enum: ['source', 'processor', 'sink'] }, name: { type: 'string' }, predecessors: { type: 'array', items: { type: 'string' } }, successors: { type: 'array', items: { type: 'string' } } } } },
          },
        },
        StorePartitions: {
          type: 'object',
          properties: {
            kind: { type: 'string' },
            keySerde: { type: 'string' },
            partitions: { type: ['integer', 'null'] },
            active: { type: 'array', items: { type: ['string', 'null'] }, description: 'host:port of the active task of each partition' },
            standbys: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
  };
}
