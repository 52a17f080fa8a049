// Functional readiness checks: a broker is ready when it answers a metadata request, a registry
// when it lists subjects. A port that accepts connections is not enough.
import { Kafka, logLevel } from 'kafkajs';

export async function waitForKafka(brokers: string[], timeoutMs: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'sluice-readiness', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`Kafka at ${brokers.join(',')} did not answer a metadata request within ${timeoutMs} ms: ${String(err)}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

export async function waitForRegistry(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/subjects`);
      if (res.ok) return;
      if (Date.now() > deadline) throw new Error(`schema registry at ${url} answered HTTP ${res.status} to GET /subjects`);
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`schema registry at ${url} was not reachable within ${timeoutMs} ms: ${String(err)}`, { cause: err });
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
