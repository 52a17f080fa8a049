// Owns one query request as the routes see it: its path segments and parameters (each read with a
// 400 naming the parameter when it is malformed, and unknown parameters refused), its deadline, the
// caller's credentials to pass on when forwarding, and whether another worker forwarded it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpErrorCodes, unavailable } from './errors.js';

/** Header a worker sets on a request it forwards: the receiver answers it itself, never forwarding again. */
export const FORWARDED_BY = 'sluice-forwarded-by';
/** Header on every answer to a store query: the worker whose store answered. */
export const SERVED_BY = 'sluice-served-by';

export class QueryRequest {
  readonly params: URLSearchParams;
  readonly deadline: number;
  private readonly used = new Set<string>();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** The path below the base path, e.g. '/v1/stores/counts/keys/alice' (still percent-encoded). */
    readonly path: string,
    query: string,
    timeoutMs: number,
  ) {
    this.params = new URLSearchParams(query);
    this.deadline = Date.now() + timeoutMs;
  }

  /** The worker that forwarded this request, if one did. */
  get forwardedBy(): string | undefined {
    const v = this.req.headers[FORWARDED_BY];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  }

  get authorization(): string | undefined {
    return this.req.headers.authorization;
  }

  /** Milliseconds left before the request's deadline; 503 TIMEOUT when none are. */
  remainingMs(): number {
    const left = this.deadline - Date.now();
    if (left <= 0) throw unavailable(HttpErrorCodes.TIMEOUT, 'the request took longer than the server allows (requestTimeoutMs); ask for a smaller page or retry', 1);
    return left;
  }

  /** A parameter's text, or undefined when absent; marks it as known. */
  text(name: string): string | undefined {
    this.used.add(name);
    const all = this.params.getAll(name);
    if (all.length > 1) throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter '${name}' is given ${all.length} times; give it once`);
    return all[0];
  }

  integer(name: string, min: number, max: number): number | undefined {
    const t = this.text(name);
    if (t === undefined) return undefined;
    if (!/^-?\d+$/.test(t) || Number(t) < min || Number(t) > max) {
      throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter '${name}' must be an integer from ${min} to ${max}, got ${JSON.stringify(t)}`);
    }
    return Number(t);
  }

  /** A time: epoch milliseconds, or an ISO-8601 date-time. */
  time(name: string): number | undefined {
    const t = this.text(name);
    if (t === undefined) return undefined;
    const n = /^-?\d+$/.test(t) ? Number(t) : /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter '${name}' must be a time: epoch milliseconds (e.g. 1732550400000) or ISO-8601 (e.g. 2026-11-25T16:00:00Z), got ${JSON.stringify(t)}`);
    }
    return n;
  }

  flag(name: string): boolean {
    const t = this.text(name);
    if (t === undefined || t === 'false') return false;
    if (t === '' || t === 'true') return true;
    throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter '${name}' must be true or false, got ${JSON.stringify(t)}`);
  }

  /** Refuse parameters no route read (typos such as 'limt'). Call after reading all. */
  rejectUnknownParameters(): void {
    for (const name of new Set(this.params.keys())) {
      if (!this.used.has(name)) {
        throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `unknown parameter '${name}'; this route takes ${[...this.used].map((n) => `'${n}'`).join(', ') || 'no parameters'}`);
      }
    }
  }
}

/** A path segment, percent-decoded (400 when the encoding is broken). */
export function decodeSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `the ${what} in the path is not valid percent-encoding: ${JSON.stringify(segment)}`);
  }
}
