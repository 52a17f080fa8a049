// Owns the errors the query server answers with: each an HTTP status, a stable code and a message
// saying what was wrong and what to do, sent as { "error": { "code", "message" } }. Bad input is a
// 4xx, a store that cannot answer now a 503 with Retry-After; only a fault of the server is a 500.
import { ErrorCodes, SluiceError } from '@sluice/common';

export const HttpErrorCodes = {
  INVALID_KEY: 'INVALID_KEY',
  INVALID_PARAMETER: 'INVALID_PARAMETER',
  WRONG_STORE_KIND: 'WRONG_STORE_KIND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  STORE_NOT_FOUND: 'STORE_NOT_FOUND',
  KEY_NOT_FOUND: 'KEY_NOT_FOUND',
  REBALANCING: 'REBALANCING',
  STORE_NOT_READY: 'STORE_NOT_READY',
  NOT_OWNER: 'NOT_OWNER',
  OWNER_UNKNOWN: 'OWNER_UNKNOWN',
  OWNER_UNAVAILABLE: 'OWNER_UNAVAILABLE',
  NOT_RUNNING: 'NOT_RUNNING',
  TIMEOUT: 'TIMEOUT',
  INTERNAL: 'INTERNAL',
} as const;

export type HttpErrorCode = (typeof HttpErrorCodes)[keyof typeof HttpErrorCodes];

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    /** Seconds for the Retry-After header (503s). */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }

  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (code: HttpErrorCode, message: string) => new HttpError(400, code, message);
export const notFound = (code: HttpErrorCode, message: string) => new HttpError(404, code, message);
export const unavailable = (code: HttpErrorCode, message: string, retryAfterSeconds = 1, cause?: unknown) =>
  new HttpError(503, code, message, retryAfterSeconds, cause === undefined ? undefined : { cause });

/** The answer for an error a query raised: the runtime's query errors become 404/503, anything else a 500. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof SluiceError) {
    switch (err.code) {
      case ErrorCodes.STATE_STORE_NOT_FOUND:
        return notFound(HttpErrorCodes.STORE_NOT_FOUND, err.message);
      case ErrorCodes.STREAMS_REBALANCING:
        return unavailable(HttpErrorCodes.REBALANCING, err.message);
      case ErrorCodes.INVALID_STATE_STORE:
      case ErrorCodes.STATE_STORE_MIGRATED:
        return unavailable(HttpErrorCodes.STORE_NOT_READY, err.message);
      case ErrorCodes.INVALID_STATE_STORE_PARTITION:
        return unavailable(HttpErrorCodes.NOT_OWNER, `${err.message} (the fleet's assignment is changing; retry)`);
      case ErrorCodes.STREAMS_NOT_STARTED:
      case ErrorCodes.STATE_STORE_NOT_AVAILABLE:
      case ErrorCodes.ILLEGAL_STATE:
        return unavailable(HttpErrorCodes.NOT_RUNNING, err.message, 2);
      case ErrorCodes.SERIALIZATION_FAILED:
        return badRequest(HttpErrorCodes.INVALID_KEY, err.message);
    }
  }
  return new HttpError(500, HttpErrorCodes.INTERNAL, `the query failed on the server: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
}
