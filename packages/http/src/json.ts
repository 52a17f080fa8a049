// Owns how store contents look in JSON and how answers are written: numbers stay numbers, 64-bit
// integers beyond 2^53 (bigint) become strings, bytes become base64, Maps objects and Sets arrays;
// every answer is JSON with a no-store cache policy, errors as { "error": { "code", "message" } }.
import type { ServerResponse } from 'node:http';
import { type HttpError, toHttpError } from './errors.js';

function replacer(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (Buffer.isBuffer(original)) return original.toString('base64');
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) && BigInt(Number(value)) === value ? Number(value) : value.toString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [typeof k === 'string' ? k : JSON.stringify(k, replacer), v]));
  if (value instanceof Set) return [...value];
  return value;
}

/** JSON text of a store key or value (or a whole answer), with the rendering rules above. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, replacer) ?? 'null';
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : toJson(body);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): HttpError {
  const e = toHttpError(err);
  const extra: Record<string, string> = { ...headers };
  if (e.retryAfterSeconds !== undefined) extra['retry-after'] = String(e.retryAfterSeconds);
  if (e.status === 401) extra['www-authenticate'] = 'Bearer';
  sendJson(res, e.status, e.toJSON(), extra);
  return e;
}
