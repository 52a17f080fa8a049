// Owns StreamsHttpServer: a worker's own HTTP(S) server for its query routes, listening where the
// app's applicationServer says unless told otherwise, with bounded request and header times, and a
// close() that stops taking requests, ends idle keep-alive connections and lets answers in flight
// finish. It serves the query routes, GET /metrics and the live console at GET /; other paths get a
// JSON 404.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@sluice/common';
import { HttpErrorCodes, notFound } from './errors.js';
import { StreamsHttpHandler } from './handler.js';
import { sendError } from './json.js';
import type { StreamsHttpOptions } from './options.js';
import type { QueryableApp } from './services.js';

const CLOSE_GRACE_MS = 5_000;

export class StreamsHttpServer {
  /** The query routes this server answers (mountable elsewhere too). */
  readonly routes: StreamsHttpHandler;
  private readonly host: string;
  private readonly port: number;
  private server: http.Server | undefined;

  constructor(app: QueryableApp, options: StreamsHttpOptions = {}) {
    this.routes = new StreamsHttpHandler(app, options);
    const self = app.applicationServer!;
    this.host = options.host ?? self.host;
    this.port = options.port ?? self.port;
    if (typeof this.host !== 'string' || this.host.length === 0) throw new ConfigError(`host must be an interface name or address to listen on, got ${JSON.stringify(options.host)}`);
    if (!Number.isSafeInteger(this.port) || this.port < 0 || this.port > 65535) throw new ConfigError(`port must be from 0 to 65535, got ${String(options.port)}`);
  }

  /** Listen; resolves once the port is open. */
  async start(): Promise<void> {
    if (this.server) throw new ConfigError('the query server is already started');
    const tls = this.routes.options.tls;
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.routes.handle(req, res).then(
        (handled) => {
          if (!handled) sendError(res, notFound(HttpErrorCodes.ROUTE_NOT_FOUND, `no route ${req.url ?? ''}; the query routes are under ${this.routes.options.basePath}/v1 (see ${this.routes.options.basePath}/v1/openapi.json)`));
        },
        (err: unknown) => sendError(res, err),
      );
    };
    const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, listener) : http.createServer(listener);
    server.requestTimeout = this.routes.options.requestTimeoutMs + 5_000;
    server.headersTimeout = Math.min(server.requestTimeout, 15_000);
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Where the server listens (after start()). */
  get address(): { host: string; port: number } {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) throw new ConfigError('the query server is not started');
    return { host: this.host, port: a.port };
  }

  /** The base URL of the query routes, e.g. http://127.0.0.1:7070 (after start()). */
  get url(): string {
    const { host, port } = this.address;
    const h = host.includes(':') ? `[${host}]` : host;
    return `${this.routes.options.tls ? 'https' : 'http'}://${h}:${port}${this.routes.options.basePath}`;
  }

  /** Stop taking requests; answers in flight get a few seconds to finish. Idempotent. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(timer);
    }
    this.routes.close();
  }
}
