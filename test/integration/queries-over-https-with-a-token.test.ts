// Two worker processes whose query ports need a bearer token and speak HTTPS (a self-signed
// certificate made for this test): without the token a request is refused; with it, every key is
// answered through either worker, forwarded between them over HTTPS with the token.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamsHttpClient } from 'sluice/http';
import { closeTestClients, createTopic, deleteGroup, deleteTopicsWithPrefix, produce, uniqueName } from '../helpers/kafka.js';
import { countsOf, eventually, startQueryWorker, TOTALS, viewsOf } from '../helpers/query-workers.js';

afterAll(closeTestClients);

const TOKEN = 'b7c1e0f4a9d2835c6e1f0a7b3d9c2e48';

function selfSigned(dir: string): { key: string; cert: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key, cert };
}

function httpsGet(url: string, ca: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }));
      })
      .on('error', reject);
  });
}

describe('queries over HTTPS with a bearer token', () => {
  it('refuses requests without the token and forwards with it over HTTPS', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-iq-tls-'));
    const views = await createTopic('iq-tls-views', { partitions: 4 });
    const totals = await createTopic('iq-tls-totals', { partitions: 4 });
    const appId = uniqueName('iq-tls');
    try {
      const files = selfSigned(dir);
      const ca = readFileSync(files.cert, 'utf8');
      const settings = { appId, views, totals, scheme: 'https' as const, env: { QUERY_TOKEN: TOKEN, TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.key } };
      const a = await startQueryWorker(settings, 'A');
      const b = await startQueryWorker(settings, 'B');
      const input = viewsOf(20, (u) => 1 + (u % 3), Date.now() - 600_000);
      await produce(views, input);
      const expected = countsOf(input);

      expect((await httpsGet(`${a.url}/v1/stores/${TOTALS}/keys/user-1`, ca, {})).status).toBe(401);
      expect((await httpsGet(`${a.url}/health/live`, ca, {})).status).toBe(200);
      const auth = { authorization: `Bearer ${TOKEN}` };
      await eventually('every key through both workers over HTTPS, half of them forwarded', async () => {
        let forwarded = 0;
        for (const w of [a, b]) {
          for (const [user, n] of expected) {
            const r = await httpsGet(`${w.url}/v1/stores/${TOTALS}/keys/${user}`, ca, auth);
            if (r.status !== 200 || r.body['value'] !== n) return `${w.url} ${user}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)} (want ${n})`;
            if (r.body['servedBy'] !== `127.0.0.1:${w.port}`) forwarded++;
          }
        }
        return forwarded === expected.size || `${forwarded} of ${expected.size * 2} answers were forwarded, want ${expected.size}`;
      });
      const client = new StreamsHttpClient({ urls: [a.url], authToken: TOKEN, ca });
      try {
        const all = new Map<string, number>();
        for await (const e of client.range<string, number>(TOTALS, { limit: 6 })) all.set(e.key, e.value);
        expect(all).toEqual(expected);
        expect((await client.get<number>(TOTALS, 'user-4'))?.value).toBe(expected.get('user-4'));
      } finally {
        client.close();
      }
      await Promise.all([a.worker.stop(), b.worker.stop()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await deleteTopicsWithPrefix(appId);
      await deleteGroup(appId);
    }
  });
});
