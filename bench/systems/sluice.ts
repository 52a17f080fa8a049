// The Sluice worker of the bench: the scenarios' application (sluice-app.ts) with as many stream
// threads as the run asks, one or more workers per run (--workers: each waits at the start gate);
// it reports restoration for S5.
import { KafkaStreams } from 'sluice';
import { existsSync, readFileSync } from 'node:fs';
import { emit, fail, onShutdown, readRunSpec } from './worker-protocol.js';

const version = (JSON.parse(readFileSync(new URL('../../packages/sluice/package.json', import.meta.url), 'utf8')) as { version: string }).version;
emit({ event: 'info', version });

const app = await KafkaStreams.fromModule(new URL('./sluice-app.ts', import.meta.url));

// S5: restoration = every store partition restored before the first RUNNING
let restoreStartedAt = 0;
let restored = 0;
let restoring = 0;
app.onRestoreProgress((p) => {
  if (p.total === 0) return; // an empty changelog: nothing to restore
  if (restoreStartedAt === 0) {
    restoreStartedAt = Date.now();
    emit({ event: 'restore-start', at: restoreStartedAt });
  }
  if (p.restored === 0 && !p.done) restoring++;
  if (p.done) restored += p.restored;
});
app.onStateChange((next) => {
  emit({ event: 'state', state: next, at: Date.now() });
  if (next === 'RUNNING' && restoreStartedAt > 0 && restoring > 0) {
    emit({ event: 'restore-end', at: Date.now(), records: restored, startedAt: restoreStartedAt });
    restoring = 0;
  }
});
app.onError((err) => fail(err));
onShutdown(() => app.close());
// one of several workers: join the group when all of them are up (the harness opens the gate)
const gate = readRunSpec().startGate;
if (gate) {
  emit({ event: 'ready', at: Date.now() });
  while (!existsSync(gate)) await new Promise((r) => setTimeout(r, 5));
}
await app.start().catch(fail);
