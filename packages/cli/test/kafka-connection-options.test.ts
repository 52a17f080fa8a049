// The connection options shared by reset, lag and dlq become AdminTools options: brokers (also in
// Kafka tools' --bootstrap-server spelling), TLS from PEM files, SASL only when complete.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adminToolsOptions } from '../src/kafka-options.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-cli-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = { bootstrapServers: 'localhost:9092', clientId: 'sluice-cli' };

describe('Kafka connection options', () => {
  it('prefers --bootstrap-server (Kafka tools) over the default --bootstrap-servers', () => {
    expect(adminToolsOptions(base)).toEqual({ bootstrapServers: 'localhost:9092', clientId: 'sluice-cli' });
    expect(adminToolsOptions({ ...base, bootstrapServer: 'b1:9093,b2:9093' }).bootstrapServers).toBe('b1:9093,b2:9093');
  });

  it('reads TLS material from PEM files', () => {
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(adminToolsOptions({ ...base, ssl: true }).ssl).toBe(true);
    expect(adminToolsOptions({ ...base, sslCa: ca }).ssl).toEqual({ ca: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n') });
    expect(() => adminToolsOptions({ ...base, sslCa: path.join(dir, 'nope.pem') })).toThrow(/cannot read the --ssl-ca file '.*nope.pem'/);
    expect(() => adminToolsOptions({ ...base, sslCert: ca })).toThrow('--ssl-cert and --ssl-key go together');
  });

  it('needs mechanism, user name and password for SASL', () => {
    expect(adminToolsOptions({ ...base, saslMechanism: 'scram-sha-512', saslUsername: 'ops', saslPassword: 'pw' }).sasl).toEqual({ mechanism: 'scram-sha-512', username: 'ops', password: 'pw' });
    expect(() => adminToolsOptions({ ...base, saslUsername: 'ops' })).toThrow('SASL needs --sasl-mechanism, --sasl-username and a password (SLUICE_SASL_PASSWORD or --sasl-password)');
  });
});
