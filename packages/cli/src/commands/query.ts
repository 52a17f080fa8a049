// Owns `sluice query <worker-url> <store> <key>`: one interactive query against a worker's HTTP
// server (sluice/http): GET /v1/stores/{store}/keys/{key}, answered with { "key", "value" } or
// { "error": { "code", "message" } }. Prints the value as pretty JSON, errors as one line.
import { Option, type Command } from 'commander';
import { CliError, usageError, type CommandContext } from '../io.js';
import { parseWholeNumber } from '../time-arguments.js';

interface QueryOptions {
  stale?: boolean;
  token?: string;
  timeout: string;
}

/** The worker's base URL; `host:port` alone means http. */
export function workerUrl(text: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(`'${text}' is not a worker URL; give it as http://host:port (the worker's applicationServer)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`worker URL '${text}' must be http:// or https://`);
  return url;
}

export function keyUrl(base: URL, store: string, key: string, stale: boolean): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/stores/${encodeURIComponent(store)}/keys/${encodeURIComponent(key)}`;
  url.search = stale ? '?stale=true' : '';
  return url;
}

function errorBody(body: unknown): { code?: string; message?: string } | undefined {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (!e || typeof e !== 'object') return undefined;
  return { ...(typeof e.code === 'string' ? { code: e.code } : {}), ...(typeof e.message === 'string' ? { message: e.message } : {}) };
}

export function addQueryCommand(program: Command, ctx: CommandContext): void {
  program
    .command('query')
    .summary("read one key from a worker's state store over HTTP")
    .description("Read the value of one key from a state store through a worker's HTTP server (sluice/http): GET /v1/stores/{store}/keys/{key}. Prints the value as JSON.")
    .argument('<worker-url>', 'the worker, e.g. http://localhost:8080 (any worker: the server forwards to the one that owns the key)')
    .argument('<store>', 'store name, e.g. word-counts')
    .argument('<key>', 'the key, as text (the server reads it with the store\'s key serde)')
    .option('--stale', 'allow an answer from a standby or restoring copy (may lag behind)')
    .addOption(new Option('--token <token>', 'bearer token for a server that requires one').env('SLUICE_TOKEN'))
    .option('--timeout <ms>', 'give up after this many milliseconds', '10000')
    .addHelpText('after', '\nExit codes: 0 the value was printed, 1 the server answered with an error (printed from its JSON body) or could not be reached, 2 usage error.\n\nExample:\n  sluice query http://localhost:8080 word-counts kafka\n')
    .action(async (worker: string, store: string, key: string, opts: QueryOptions) => {
      const url = keyUrl(workerUrl(worker), store, key, opts.stale === true);
      const timeoutMs = parseWholeNumber('--timeout', opts.timeout, 1);
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (err as Error).message);
        throw new CliError(`cannot reach ${url.origin}: ${why}; is the worker running with its HTTP server on that address?`, undefined, { cause: err });
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = text.length > 0 ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        body = undefined;
      }
      if (!res.ok) {
        const e = errorBody(body);
        const what = e?.message ?? (text.trim().slice(0, 200) || res.statusText);
        throw new CliError(`${what} (HTTP ${res.status}${e?.code ? ` ${e.code}` : ''} from ${url.origin})`);
      }
      if (body === undefined || typeof body !== 'object' || body === null || !('value' in body)) {
        throw new CliError(`${url.origin} answered HTTP ${res.status} without a JSON { "key", "value" } body; is this a Sluice worker's HTTP server?`);
      }
      ctx.io.out(JSON.stringify((body as { value: unknown }).value, null, 2) + '\n');
    });
}
