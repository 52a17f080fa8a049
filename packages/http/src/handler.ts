// Owns the query routes as one request handler that any Node HTTP server can call: it claims paths
// under <basePath>/v1 and <basePath>/health, <basePath>/metrics (Prometheus) and <basePath>/ (the
// live console), answering every one of them (errors as JSON), and leaves every other path to the
// server it is mounted in. Checks the bearer token, allows only GET, bounds each request's time, and
// dispatches.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from '@sluice/common';
import { HttpError, HttpErrorCodes, notFound } from './errors.js';
import { sendError, sendJson } from './json.js';
import { openApiDocument } from './openapi.js';
import { resolveHttpOptions, type ResolvedHttpOptions, type StreamsHttpOptions } from './options.js';
import { decodeSegment, QueryRequest } from './request.js';
import { getConsole } from './routes/console.js';
import { getInstance, listInstances, listStores, live, ready } from './routes/fleet.js';
import { getKey, getKeyMetadata } from './routes/keys.js';
import { getMetrics } from './routes/metrics.js';
import { listKeys } from './routes/range.js';
import { getTopology } from './routes/topology.js';
import { getSessions, getWindows } from './routes/windows.js';
import { QueryServices, type QueryableApp } from './services.js';

/** The part of a Fastify instance the plugin uses (Fastify itself is not a dependency). */
export interface FastifyLike {
  all(url: string, handler: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }) => Promise<void>): unknown;
}

type Route = (q: QueryRequest, svc: QueryServices, args: string[]) => void | Promise<void>;

/** Routes by their path below the base path; '*' is one path segment (store name or key). */
const ROUTES: [pattern: string, route: Route][] = [
  ['/v1/openapi.json', (q, svc) => sendJson(q.res, 200, openApiDocument(svc.options.basePath, svc.options.authToken !== undefined, svc.options))],
  ['/v1/stores', (q, svc) => listStores(q, svc)],
  ['/v1/stores/*/keys', (q, svc, [s]) => listKeys(q, svc, s!)],
  ['/v1/stores/*/keys/*', (q, svc, [s, k]) => getKey(q, svc, s!, k!)],
  ['/v1/stores/*/keys/*/metadata', (q, svc, [s, k]) => getKeyMetadata(q, svc, s!, k!)],
  ['/v1/stores/*/keys/*/windows', (q, svc, [s, k]) => getWindows(q, svc, s!, k!)],
  ['/v1/stores/*/keys/*/sessions', (q, svc, [s, k]) => getSessions(q, svc, s!, k!)],
  ['/v1/instances', (q, svc) => listInstances(q, svc)],
  ['/v1/instance', (q, svc) => getInstance(q, svc)],
  ['/v1/topology', (q, svc) => getTopology(q, svc)],
  ['/metrics', (q, svc) => getMetrics(q, svc)],
  ['/', (q, svc) => getConsole(q, svc)],
  ['/health/live', (q, svc) => live(q, svc)],
  ['/health/ready', (q, svc) => ready(q, svc)],
];

function match(path: string): { route: Route; args: string[] } | undefined {
  const segments = path.split('/');
  for (const [pattern, route] of ROUTES) {
    const parts = pattern.split('/');
    if (parts.length !== segments.length) continue;
    const args: string[] = [];
    if (parts.every((p, i) => (p === '*' ? (args.push(segments[i]!), true) : p === segments[i]))) {
      return { route, args: args.map((a, i) => decodeSegment(a, i === 0 ? 'store name' : 'key')) };
    }
  }
  return undefined;
}

/** The query routes, to serve from StreamsHttpServer or mount in a server you already run. */
export class StreamsHttpHandler {
  readonly options: ResolvedHttpOptions;
  private readonly services: QueryServices;
  private readonly token: Buffer | undefined;

  constructor(app: QueryableApp, options: StreamsHttpOptions = {}) {
    this.options = resolveHttpOptions(options);
    this.services = new QueryServices(app, this.options);
    this.token = this.options.authToken === undefined ? undefined : Buffer.from(`Bearer ${this.options.authToken}`);
  }

  /**
   * Answer `req` if it is one of the query routes; resolves false (answering nothing) for any other
   * path, so the caller can go on: `if (!(await routes.handle(req, res))) next()`.
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const fullPath = q < 0 ? url : url.slice(0, q);
    const base = this.options.basePath;
    if (fullPath !== base && !fullPath.startsWith(`${base}/`)) return false;
    const path = fullPath.slice(base.length) || '/';
    if (!this.claims(path)) return false;
    const request = new QueryRequest(req, res, path, q < 0 ? '' : url.slice(q + 1), this.options.requestTimeoutMs);
    try {
      if (req.method !== 'GET') {
        sendError(res, new HttpError(405, HttpErrorCodes.METHOD_NOT_ALLOWED, `${req.method} is not allowed: the query routes answer GET only`), { allow: 'GET' });
        return true;
      }
      if ((path.startsWith('/v1') || path === '/metrics') && !this.authorized(req)) {
        throw new HttpError(401, HttpErrorCodes.UNAUTHORIZED, 'this query server needs a bearer token: send the header Authorization: Bearer <token>');
      }
      const found = match(path);
      if (!found) throw notFound(HttpErrorCodes.ROUTE_NOT_FOUND, `no route ${path}; the routes are listed at ${base}/v1/openapi.json`);
      await found.route(request, this.services, found.args);
    } catch (err) {
      const e = sendError(res, err);
      if (e.status >= 500 && e.code === HttpErrorCodes.INTERNAL) this.options.logger.error(`query ${path} failed: ${describeError(e.cause ?? err)}`);
    }
    return true;
  }

  /** Middleware for Express / Connect: answers the query routes and passes every other request on. */
  middleware(): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
    return (req, res, next) => {
      this.handle(req, res).then((handled) => {
        if (!handled) next();
      }, next);
    };
  }

  /**
   * A Fastify plugin answering the query routes: `await fastify.register(routes.fastifyPlugin())`.
   * The routes take over the raw request and response (reply.hijack()).
   */
  fastifyPlugin(): (fastify: FastifyLike) => Promise<void> {
    return async (fastify) => {
      const base = this.options.basePath;
      const urls = [`${base}/v1`, `${base}/v1/*`, `${base}/health/*`];
      if (this.options.metrics) urls.push(`${base}/metrics`);
      if (this.options.console) urls.push(`${base}/`, ...(base ? [base] : []));
      for (const url of urls) {
        fastify.all(url, async (request, reply) => {
          reply.hijack();
          await this.handle(request.raw, reply.raw);
        });
      }
    };
  }

  /** Close the keep-alive connections to the other workers. */
  close(): void {
    this.services.close();
  }

  /** Whether `path` (below the base path) is one of ours; the rest is left to the enclosing server. */
  private claims(path: string): boolean {
    if (path === '/v1' || path.startsWith('/v1/') || path.startsWith('/health/')) return true;
    return (path === '/metrics' && this.options.metrics) || (path === '/' && this.options.console);
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.token) return true;
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}
