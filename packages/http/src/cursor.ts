// Owns the page cursors the list routes hand out: opaque text that says where the next page starts
// (after a key's bytes, or after a window start or session end). A cursor a route did not give out is
// a 400, never a wrong page.
import { badRequest, HttpErrorCodes } from './errors.js';

export function keyCursor(keyBytes: Buffer): string {
  return `k.${keyBytes.toString('base64url')}`;
}

export function timeCursor(kind: 'w' | 's', time: number): string {
  return `${kind}.${time}`;
}

function invalid(cursor: string): never {
  throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter 'cursor' ${JSON.stringify(cursor.slice(0, 80))} is not a cursor this route gave out; pass the 'next' of the previous page unchanged`);
}

/** The key bytes a key cursor starts after. */
export function decodeKeyCursor(cursor: string | undefined): Buffer | undefined {
  if (cursor === undefined) return undefined;
  if (!/^k\.[A-Za-z0-9_-]*$/.test(cursor)) invalid(cursor);
  return Buffer.from(cursor.slice(2), 'base64url');
}

/** The time a window ('w') or session ('s') cursor starts after. */
export function decodeTimeCursor(kind: 'w' | 's', cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const m = new RegExp(`^${kind}\\.(-?\\d{1,16})$`).exec(cursor);
  if (!m || !Number.isSafeInteger(Number(m[1]))) invalid(cursor);
  return Number(m[1]);
}
