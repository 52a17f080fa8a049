// Owns KStream.join/leftJoin/outerJoin(KStream, …): the nodes, stores and names of a windowed
// stream-stream join as Kafka Streams writes them (KStreamImpl.doJoin, KStreamImplJoin): each side
// passes a KSTREAM-WINDOWED processor into its window store, the two join processors read the
// other side's store, and a KSTREAM-MERGE processor is the result; a left/outer join adds the
// shared KSTREAM-OUTERSHARED store of unmatched records.
import { Stores, type StateStore, type StoreBuilder, type StoreType, type WindowBytesStoreSupplier } from '@sluice/state';
import type { Serde } from '@sluice/serdes';
import type { ProcessorSupplier } from '../../processor/api.js';
import type { DefaultsAware } from '../../topology/defaults.js';
import type { InternalStreamsBuilder } from '../internal-builder.js';
import { KStream } from '../kstream.js';
import { DeferredStoreBuilder } from '../materialized.js';
import { PassThroughProcessor } from '../operators/stateless.js';
import { repartitionForJoin } from './join-repartition.js';
import { JoinWindows } from './join-windows.js';
import { outerJoinStoreBuilder } from './outer-join-store.js';
import { JoinWindowSupplier, StreamStreamJoinSupplier, TimeTrackers } from './stream-stream-processors.js';
import { StreamJoined } from './stream-joined.js';
import { reverseJoiner, type ValueJoinerWithKey } from './value-joiner.js';

export type JoinKind = 'join' | 'leftJoin' | 'outerJoin';

const P = {
  WINDOWED: 'KSTREAM-WINDOWED-',
  JOINTHIS: 'KSTREAM-JOINTHIS-',
  JOINOTHER: 'KSTREAM-JOINOTHER-',
  OUTERTHIS: 'KSTREAM-OUTERTHIS-',
  OUTEROTHER: 'KSTREAM-OUTEROTHER-',
  OUTERSHARED: 'KSTREAM-OUTERSHARED-',
  MERGE: 'KSTREAM-MERGE-',
} as const;

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** `this` (left) joined with `other` (right) within `windows`. */
export function streamStreamJoin<K, V, VO, VR>(
  kind: JoinKind,
  left: KStream<K, V>,
  other: KStream<K, VO>,
  joiner: ValueJoinerWithKey<K, V, VO, VR>,
  windows: JoinWindows,
  streamJoined: StreamJoined<K, V, VO> | undefined,
): KStream<K, VR> {
  const b = left.internals.builder;
  const sj = streamJoined ?? StreamJoined.with<K, V, VO>(undefined, undefined, undefined);
  const problem = checkArgs(kind, left, other, joiner, windows, sj);
  if (problem !== undefined) {
    const name = b.nameOrGenerate(sj.name, P.MERGE);
    b.problem(problem, name);
    return new KStream<K, VR>({ builder: b, nodeName: name, keySerde: undefined, valueSerde: undefined, repartitionRequired: false });
  }
  const thisStream = repartitionForJoin(left, sj.name !== undefined ? `${sj.name}-left` : left.internals.nodeName, sj.keySerde, sj.valueSerde);
  const otherStream = repartitionForJoin(other, sj.name !== undefined ? `${sj.name}-right` : other.internals.nodeName, sj.keySerde, sj.otherValueSerde);
  b.copartition([thisStream.internals.nodeName, otherStream.internals.nodeName]);
  return addJoin(b, kind, thisStream.internals.nodeName, otherStream.internals.nodeName, joiner, windows, sj);
}

function checkArgs<K, V, VO>(kind: JoinKind, left: KStream<K, V>, other: unknown, joiner: unknown, windows: unknown, sj: StreamJoined<K, V, VO>): string | undefined {
  const b = left.internals.builder;
  if (!(other instanceof KStream) || other.internals.builder !== b) return `${kind}() needs a KStream or KTable built by the same StreamsBuilder (joining '${left.internals.nodeName}')`;
  if (typeof joiner !== 'function') return `${kind}() of '${left.internals.nodeName}' needs a joiner function (value1, value2, key) => result`;
  if (!(windows instanceof JoinWindows)) return `${kind}() of two streams needs JoinWindows, for example JoinWindows.ofTimeDifferenceWithNoGrace(60_000) (joining '${left.internals.nodeName}')`;
  if (!(sj instanceof StreamJoined)) return `${kind}() takes a StreamJoined as its options, for example StreamJoined.with(keySerde, valueSerde, otherValueSerde)`;
  const [a, c] = [sj.thisStoreSupplier, sj.otherStoreSupplier];
  if (a !== undefined && c !== undefined && a.name === c.name) return `both store suppliers of ${kind}() are named '${a.name}'; store suppliers must have unique names`;
  for (const s of [a, c]) {
    if (s === undefined) continue;
    if (!s.retainDuplicates) return `store supplier '${s.name}' of ${kind}() must keep duplicates (retainDuplicates = true)`;
    if (s.retentionMs !== windows.size() + windows.gracePeriodMs() || s.windowSizeMs !== windows.size()) {
      return (
        `window settings mismatch: store supplier '${s.name}' has retention ${s.retentionMs} ms and window size ${s.windowSizeMs} ms, ` +
        `but ${windows.toString()} needs retention ${windows.size() + windows.gracePeriodMs()} ms (size + grace) and window size ${windows.size()} ms`
      );
    }
  }
  return undefined;
}

function addJoin<K, V, VO, VR>(
  b: InternalStreamsBuilder,
  kind: JoinKind,
  thisNode: string,
  otherNode: string,
  joiner: ValueJoinerWithKey<K, V, VO, VR>,
  windows: JoinWindows,
  sj: StreamJoined<K, V, VO>,
): KStream<K, VR> {
  const leftOuter = kind !== 'join';
  const rightOuter = kind === 'outerJoin';
  const named = sj.name;
  // names are generated in Kafka's order (the counter moves even for a given name)
  const thisWindowedName = b.suffixOrGenerate(named, '-this-windowed', P.WINDOWED);
  const otherWindowedName = b.suffixOrGenerate(named, '-other-windowed', P.WINDOWED);
  // the generated join names also name the stores when StreamJoined names none
  const thisGenerated = b.newProcessorName(rightOuter ? P.OUTERTHIS : P.JOINTHIS);
  const otherGenerated = b.newProcessorName(leftOuter ? P.OUTEROTHER : P.JOINOTHER);
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  const thisJoinName = named !== undefined ? `${named}${thisSuffix}` : thisGenerated;
  const otherJoinName = named !== undefined ? `${named}${otherSuffix}` : otherGenerated;
  const mergeName = b.suffixOrGenerate(named, '-merge', P.MERGE);

  const thisStore = joinWindowStore(sj, windows, sj.thisStoreSupplier, `${sj.storeName !== undefined ? sj.storeName + thisSuffix : thisGenerated}-store`, sj.valueSerde);
  const otherStore = joinWindowStore(sj, windows, sj.otherStoreSupplier, `${sj.storeName !== undefined ? sj.storeName + otherSuffix : otherGenerated}-store`, sj.otherValueSerde);
  const outer = leftOuter ? outerStore(sj, thisGenerated, rightOuter) : undefined;

  const trackers = new TimeTrackers();
  const thisJoin = new StreamStreamJoinSupplier<K, V, VO, VR>({
    otherStoreName: otherStore.name,
    outerStoreName: outer?.store.name,
    windows,
    joiner: joiner as ValueJoinerWithKey<K, V | null, VO | null, VR>,
    outer: leftOuter,
    leftSide: true,
    trackers,
  });
  const otherJoin = new StreamStreamJoinSupplier<K, VO, V, VR>({
    otherStoreName: thisStore.name,
    outerStoreName: outer?.store.name,
    windows,
    joiner: reverseJoiner(joiner) as ValueJoinerWithKey<K, VO | null, V | null, VR>,
    outer: rightOuter,
    leftSide: false,
    trackers,
  });

  b.add(thisWindowedName, [thisNode], (t) => t.addProcessor(thisWindowedName, new JoinWindowSupplier(thisStore.name) as AnySupplier, thisNode));
  b.add(otherWindowedName, [otherNode], (t) => t.addProcessor(otherWindowedName, new JoinWindowSupplier(otherStore.name) as AnySupplier, otherNode));
  b.add(mergeName, [thisWindowedName, otherWindowedName], (t) => {
    t.addProcessor(thisJoinName, thisJoin as AnySupplier, thisWindowedName);
    t.addProcessor(otherJoinName, otherJoin as AnySupplier, otherWindowedName);
    t.addProcessor(mergeName, () => new PassThroughProcessor(), thisJoinName, otherJoinName);
    t.addStateStore(thisStore, thisWindowedName, otherJoinName);
    t.addStateStore(otherStore, otherWindowedName, thisJoinName);
    if (outer) t.addStateStore(outer.store, thisJoinName, otherJoinName);
    for (const part of [thisStore, otherStore, outer?.store, outer?.defaultsAware]) if (isDefaultsAware(part)) t.registerDefaultsAware(part);
  });
  // the key serde is not inherited from either side: the two may differ (Kafka)
  return new KStream<K, VR>({ builder: b, nodeName: mergeName, keySerde: sj.keySerde, valueSerde: undefined, repartitionRequired: false });
}

function isDefaultsAware(x: unknown): x is DefaultsAware {
  return typeof (x as Partial<DefaultsAware> | undefined)?.bindDefaults === 'function';
}

/** One side's window store: the user's supplier (as is), or `<name>` of the StreamJoined's store type with changelog cleanup.policy=delete. */
function joinWindowStore<K, V, VO>(
  sj: StreamJoined<K, V, VO>,
  windows: JoinWindows,
  supplier: WindowBytesStoreSupplier | undefined,
  generatedName: string,
  valueSerde: Serde<unknown> | undefined,
): StoreBuilder<StateStore> & DefaultsAware {
  const retentionMs = windows.size() + windows.gracePeriodMs();
  const windowed = (): { [key: string]: string } => ({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs + 24 * 60 * 60 * 1000) });
  if (supplier !== undefined) {
    // Kafka builds a supplied store as it comes: logging on, the window store's own changelog config
    return new DeferredStoreBuilder(supplier.name, 'a stream-stream join', sj.keySerde as Serde<unknown> | undefined, valueSerde, (k, v) => Stores.windowStoreBuilder(supplier, k, v) as unknown as StoreBuilder<StateStore>, windowed, {
      caching: false,
      logging: true,
      logConfig: {},
    });
  }
  const type: StoreType = sj.storeType ?? 'rocksdb';
  return new DeferredStoreBuilder(
    generatedName,
    'a stream-stream join',
    sj.keySerde as Serde<unknown> | undefined,
    valueSerde,
    (k, v) => Stores.windowStoreBuilder(Stores.windowStoreSupplier(generatedName, type, retentionMs, windows.size(), true), k, v) as unknown as StoreBuilder<StateStore>,
    windowed,
    // duplicates are kept, so the changelog must not be compacted
    { caching: false, logging: sj.loggingEnabled, logConfig: { ...sj.topicConfig, 'cleanup.policy': 'delete' } },
  );
}

/** The shared store of unmatched records, named after the this-side store or supplier, of the matching store type. */
function outerStore<K, V, VO>(sj: StreamJoined<K, V, VO>, thisGenerated: string, rightOuter: boolean) {
  const suffix = rightOuter ? '-outer-shared-join' : '-left-shared-join';
  let base: string;
  if (sj.thisStoreSupplier !== undefined && sj.thisStoreSupplier.name.length > 0) base = sj.thisStoreSupplier.name + suffix;
  else if (sj.storeName !== undefined) base = sj.storeName + suffix;
  else base = P.OUTERSHARED + thisGenerated.slice(rightOuter ? P.OUTERTHIS.length : P.JOINTHIS.length);
  const name = `${base}-store`;
  const type: StoreType = sj.storeType ?? sj.thisStoreSupplier?.type ?? 'rocksdb';
  return outerJoinStoreBuilder({
    name,
    supplier: Stores.keyValueStoreSupplier(name, type),
    keySerde: sj.keySerde as Serde<unknown> | undefined,
    leftValueSerde: sj.valueSerde as Serde<unknown> | undefined,
    rightValueSerde: sj.otherValueSerde as Serde<unknown> | undefined,
    logging: sj.loggingEnabled,
    logConfig: { ...sj.topicConfig },
  });
}
