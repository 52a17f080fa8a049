// Owns GET / : the live console page (console/page.ts), the same bytes for every request, held by
// its Content-Security-Policy to this server. The page carries no data; with an authToken, the data
// routes it reads want the token, which the page takes from its URL fragment (#token=...).
import { CONSOLE_CSP, consolePage } from '../console/page.js';
import type { QueryRequest } from '../request.js';
import type { QueryServices } from '../services.js';

const pages = new Map<string, Buffer>();

export function getConsole(q: QueryRequest, svc: QueryServices): void {
  q.rejectUnknownParameters();
  const base = svc.options.basePath;
  let page = pages.get(base);
  if (!page) pages.set(base, (page = Buffer.from(consolePage(base))));
  q.res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': page.length,
    'cache-control': 'no-store',
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  q.res.end(page);
}
