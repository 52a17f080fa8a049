// Owns the keep-alive connections from one process to the query ports of the workers (used to forward
// requests and by the typed client): GET with a deadline, the answer read whole (bounded), and a retry
// when a reused idle connection turns out to have been closed by the other side meanwhile.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface HttpPoolOptions {
  readonly scheme: 'http' | 'https';
  /** CAs to trust (https). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[] | undefined;
  readonly rejectUnauthorized?: boolean;
  readonly maxSockets: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** The other side could not be reached or did not answer in time (no HTTP answer at all). */
export class UnreachableError extends Error {
  constructor(
    readonly target: string,
    message: string,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UnreachableError';
  }
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_STALE_RETRIES = 4;

export class HttpPool {
  private readonly agent: http.Agent;

  constructor(private readonly o: HttpPoolOptions) {
    const common = { keepAlive: true, keepAliveMsecs: 1_000, maxSockets: o.maxSockets, maxFreeSockets: Math.min(o.maxSockets, 16), scheduling: 'lifo' as const };
    this.agent =
      o.scheme === 'https'
        ? new https.Agent({ ...common, ...(o.ca !== undefined ? { ca: o.ca as string | Buffer | (string | Buffer)[] } : {}), rejectUnauthorized: o.rejectUnauthorized ?? true })
        : new http.Agent(common);
  }

  get scheme(): 'http' | 'https' {
    return this.o.scheme;
  }

  /** GET `path` from `host:port`; rejects with UnreachableError when no HTTP answer came within `timeoutMs`. */
  async get(host: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpAnswer> {
    // idle keep-alive connections the other side closed fail at once on reuse: try the next one
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(host, port, path, headers, timeoutMs);
      } catch (err) {
        const reused = err instanceof UnreachableError && (err.cause as { reusedSocket?: boolean } | undefined)?.reusedSocket;
        if (!reused || attempt > MAX_STALE_RETRIES) throw err;
      }
    }
  }

  private once(host: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpAnswer> {
    const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const lib = this.o.scheme === 'https' ? https : http;
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      const fail = (message: string, timedOut: boolean, cause?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new UnreachableError(target, `${this.o.scheme}://${target}${path}: ${message}`, timedOut, { cause }));
      };
      const req = lib.request({ host, port, path, method: 'GET', agent: this.agent, headers: { accept: 'application/json', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy();
            fail(`the answer is larger than ${MAX_BODY_BYTES} bytes`, false);
            return;
          }
          chunks.push(c);
        });
        res.on('error', (err) => fail(err.message, false, err));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        fail(`no answer within ${timeoutMs} ms`, true);
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        // a reused keep-alive socket the other side had just closed: the caller may retry once
        fail(`${err.code ?? 'error'}: ${err.message}`, false, Object.assign(err, { reusedSocket: req.reusedSocket && err.code === 'ECONNRESET' }));
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
