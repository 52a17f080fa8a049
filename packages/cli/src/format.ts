// Owns how the CLI prints data: aligned tables, and record bytes as text when they are printable
// UTF-8, as hex otherwise.

/** Rows under a header, columns padded to their widest cell (the last one is not padded). */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** Whether bytes decode as UTF-8 text without control characters (tabs and newlines allowed). */
export function isPrintable(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') !== bytes.length || text.includes('\uFFFD')) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text);
}

export type BytesEncoding = 'auto' | 'text' | 'hex';

/** Bytes for a person: null, text (auto: when printable) or hex with its length. */
export function showBytes(bytes: Buffer | null, encoding: BytesEncoding = 'auto'): string {
  if (bytes === null) return 'null';
  if (encoding === 'text' || (encoding === 'auto' && isPrintable(bytes))) return bytes.toString('utf8');
  return `hex:${bytes.toString('hex')} (${bytes.length} bytes)`;
}

/** A one-line excerpt of a longer text. */
export function excerpt(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
