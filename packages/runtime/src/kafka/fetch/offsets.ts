// Owns asking partition leaders for offsets (ListOffsets): earliest, latest (the last stable offset
// under read_committed) or the first at a time. Partitions are grouped by leader; what can be retried
// is retried a few times after a metadata refresh.
import { check } from '../wire/errors.js';
import { READ_COMMITTED, READ_UNCOMMITTED, listOffsets as listOffsetsRequest, type ListedOffset } from '../wire/requests/data.js';
import { isRetriable, type KafkaWire } from '../wire/wire.js';

export async function listOffsets(wire: KafkaWire, parts: readonly { topic: string; partition: number; timestamp: number }[], readCommitted: boolean): Promise<ListedOffset[]> {
  if (parts.length === 0) return [];
  await wire.addTopics([...new Set(parts.map((p) => p.topic))]);
  for (let attempt = 0; ; attempt++) {
    try {
      const byLeader = new Map<number, typeof parts[number][]>();
      for (const p of parts) {
        const leader = wire.leaderIdOf(p.topic, p.partition);
        if (leader === undefined) throw Object.assign(new Error(`no leader known for ${p.topic}-${p.partition}`), { name: 'KafkaJSMetadataNotLoaded' });
        let l = byLeader.get(leader);
        if (!l) byLeader.set(leader, (l = []));
        l.push(p);
      }
      const answers = await Promise.all(
        [...byLeader].map(async ([leader, ps]) => wire.send(await wire.broker(leader), listOffsetsRequest({ isolationLevel: readCommitted ? READ_COMMITTED : READ_UNCOMMITTED, partitions: ps }))),
      );
      const out = answers.flat();
      for (const o of out) check(o.errorCode, `listing offsets of ${o.topic}-${o.partition}`);
      return out;
    } catch (err) {
      if (!isRetriable(err) || attempt >= 8) throw err;
      await wire.refreshMetadata().catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** attempt)));
    }
  }
}
