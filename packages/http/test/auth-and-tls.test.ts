// With a bearer token, the /v1 routes refuse requests without it (401 + WWW-Authenticate) and
// forwarding carries the caller's token to the worker holding the key; with TLS (a self-signed
// certificate made for this test) workers serve and forward over HTTPS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamsHttpClient } from '../src/index.js';
import { Fleet } from './helpers/in-process-fleet.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function httpsGet(url: string, ca: string | undefined): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ...(ca ? { ca } : {}) }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }));
      })
      .on('error', reject);
  });
}

describe('auth and TLS', () => {
  it('needs the bearer token on /v1, not on health probes, and forwards it', async () => {
    fleet = await Fleet.create(3, { authToken: TOKEN });
    for (const u of ['ann', 'bob', 'cy', 'dee', 'eve']) await fleet.put('counts', u, u.length);
    const url = fleet.workers[0]!.url;
    const none = await fetch(`${url}/v1/stores/counts/keys/ann`);
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    expect(((await none.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'UNAUTHORIZED',
      message: 'this query server needs a bearer token: send the header Authorization: Bearer <token>',
    });
    expect((await fetch(`${url}/v1/stores/counts/keys/ann`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await fetch(`${url}/v1/openapi.json`)).status).toBe(401);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    // every key answers, most of them forwarded to another worker with the same token
    const servedBy = new Set<string>();
    for (const u of ['ann', 'bob', 'cy', 'dee', 'eve']) {
      const res = await fetch(`${url}/v1/stores/counts/keys/${u}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await res.json()) as { value: number; servedBy: string };
      expect([res.status, body.value]).toEqual([200, u.length]);
      servedBy.add(body.servedBy);
    }
    expect(servedBy.size).toBeGreaterThan(1);
    const range = await fetch(`${url}/v1/stores/counts/keys`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await range.json()) as { items: unknown[] }).items).toHaveLength(5);
    const client = new StreamsHttpClient({ urls: [url], authToken: TOKEN });
    expect((await client.get('counts', 'eve'))?.value).toBe(3);
    client.close();
    await expect(new StreamsHttpClient({ urls: [url] }).get('counts', 'eve')).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('serves and forwards over HTTPS with a self-signed certificate', async () => {
    const tls = selfSignedCertificate();
    fleet = await Fleet.create(3, { tls });
    for (const u of ['ann', 'bob', 'cy', 'dee', 'eve', 'fay']) await fleet.put('counts', u, u.length);
    const url = fleet.workers[1]!.url;
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await expect(httpsGet(`${url}/v1/stores/counts/keys/ann`, undefined)).rejects.toThrow(/self[- ]signed/);
    const servedBy = new Set<string>();
    for (const u of ['ann', 'bob', 'cy', 'dee', 'eve', 'fay']) {
      const r = await httpsGet(`${url}/v1/stores/counts/keys/${u}`, tls.cert);
      expect([r.status, r.body['value']]).toEqual([200, u.length]);
      servedBy.add(r.body['servedBy'] as string);
    }
    expect(servedBy.size).toBeGreaterThan(1);
    const client = new StreamsHttpClient({ urls: [url], ca: tls.cert });
    const all: unknown[] = [];
    for await (const e of client.range('counts')) all.push(e.key);
    expect(all).toEqual(['ann', 'bob', 'cy', 'dee', 'eve', 'fay']);
    client.close();
  });
});
