// Owns `sluice diff`'s judgement: can a new topology be deployed over the state an old one left
// (changelog topics, repartition topics, local task directories)? Kafka Streams derives every such
// name from the topology: store names give `<app>-<store>-changelog`, repartition operations give
// `<app>-<name>-repartition`, and the sub-topology number plus the input partition give the task id
// (`<sub>_<partition>`) that names the local state directory and, under exactly-once, the
// transactional id. A change to those loses or orphans state; other changes are reported as notes.
import type { SubtopologyDef, Topology } from '@sluice/core';

export type FindingLevel = 'incompatible' | 'warning' | 'note';

export interface Finding {
  readonly level: FindingLevel;
  readonly message: string;
}

export interface CompatibilityReport {
  readonly compatible: boolean;
  readonly findings: Finding[];
}

interface StoreShape {
  readonly subtopology: number | undefined;
  readonly logged: boolean;
  readonly kind: string;
  readonly retentionMs: string | undefined;
  /** The input topics (and patterns) of the store's sub-topology: what partitions its state. */
  readonly inputs: string[];
}

interface Shape {
  readonly subtopologies: SubtopologyDef[];
  readonly stores: Map<string, StoreShape>;
  readonly internalTopics: Map<string, number | undefined>;
  readonly sourceTopics: Set<string>;
  readonly sinkTopics: Set<string>;
}

function inputsOf(sub: SubtopologyDef): string[] {
  return [...sub.sourceTopics, ...sub.sourcePatterns.map((p) => `/${p.source}/`)].sort();
}

function kindOf(cleanupPolicy: string | undefined): string {
  const policies = (cleanupPolicy ?? 'compact').split(',').map((s) => s.trim());
  return policies.includes('delete') ? 'windowed (window or session)' : 'key-value';
}

function shapeOf(topology: Topology): Shape {
  const subtopologies = topology.subtopologies();
  const stores = new Map<string, StoreShape>();
  for (const [name, def] of topology.stores) {
    const sub = subtopologies.find((s) => s.stores.includes(name));
    const config = def.builder.changelogConfig();
    stores.set(name, {
      subtopology: sub?.id,
      logged: def.builder.loggingEnabled,
      kind: kindOf(config['cleanup.policy']),
      retentionMs: config['retention.ms'],
      inputs: sub ? inputsOf(sub) : [],
    });
  }
  const internalTopics = new Map([...topology.internalTopics.values()].map((t) => [t.name, t.numberOfPartitions]));
  const sourceTopics = new Set(subtopologies.flatMap((s) => [...s.sourceTopics.filter((t) => !topology.isInternalTopic(t)), ...s.sourcePatterns.map((p) => `/${p.source}/`)]));
  const sinkTopics = new Set(subtopologies.flatMap((s) => s.sinkTopics.filter((t) => !topology.isInternalTopic(t))));
  return { subtopologies, stores, internalTopics, sourceTopics, sinkTopics };
}

/** Generated names differ only in their 10-digit index when an operator was added or removed upstream. */
const GENERATED = /^(.*?)\d{10}(.*)$/;
function generatedStem(name: string): string | undefined {
  const m = GENERATED.exec(name);
  return m ? `${m[1]}#${m[2]}` : undefined;
}

/** For each name only in `old`, a name only in `now` that looks like the same thing renamed by an index shift. */
function renames(gone: string[], added: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const free = [...added];
  for (const g of gone) {
    const stem = generatedStem(g);
    const i = stem === undefined ? -1 : free.findIndex((a) => generatedStem(a) === stem);
    if (i >= 0) out.set(g, free.splice(i, 1)[0]!);
  }
  return out;
}

export interface CompareOptions {
  /** Used in topic names; default `<application.id>`. */
  readonly applicationId?: string;
}

export function compareTopologies(oldTopology: Topology, newTopology: Topology, options: CompareOptions = {}): CompatibilityReport {
  const app = options.applicationId ?? '<application.id>';
  const changelog = (store: string) => `${app}-${store}-changelog`;
  const internal = (topic: string) => `${app}-${topic}`;
  const before = shapeOf(oldTopology);
  const after = shapeOf(newTopology);
  const findings: Finding[] = [];
  const add = (level: FindingLevel, message: string) => findings.push({ level, message });

  const goneTopics = [...before.internalTopics.keys()].filter((t) => !after.internalTopics.has(t));
  const newTopics = [...after.internalTopics.keys()].filter((t) => !before.internalTopics.has(t));
  const renamedTopics = renames(goneTopics, newTopics);
  /** An old input as the new topology calls it (a renamed repartition topic is reported once, below). */
  const carried = (topic: string) => renamedTopics.get(topic) ?? topic;

  // ---- stores: their names give the changelog topics and the local store directories ----
  const goneStores = [...before.stores.keys()].filter((s) => !after.stores.has(s));
  const newStores = [...after.stores.keys()].filter((s) => !before.stores.has(s));
  const renamedStores = renames(goneStores, newStores);
  for (const name of goneStores) {
    const to = renamedStores.get(name);
    const where = before.stores.get(name)!.logged ? `its changelog ${changelog(name)} and local state are orphaned` : 'its local state is orphaned';
    if (to !== undefined) {
      add('incompatible', `store '${name}' is now '${to}' (a generated name shifted because an operator was added or removed upstream): ${where} and '${to}' starts empty. Name the store (Materialized.as('...')) so its name stays put`);
    } else {
      add('incompatible', `store '${name}' is gone: ${where}. If it was renamed, keep the old name (Materialized.as('${name}'))`);
    }
  }
  for (const name of newStores) {
    if ([...renamedStores.values()].includes(name)) continue;
    add('note', `store '${name}' is new: it starts empty${after.stores.get(name)!.logged ? ` (changelog ${changelog(name)} is created)` : ''}`);
  }
  for (const [name, was] of before.stores) {
    const now = after.stores.get(name);
    if (!now) continue;
    if (was.kind !== now.kind) {
      add('incompatible', `store '${name}' changes from a ${was.kind} store to a ${now.kind} store: its changelog and local files hold the old layout. Give the new store another name and reset the application, or keep the old kind`);
    }
    if (!was.logged && now.logged) {
      add('incompatible', `store '${name}' now has a changelog (${changelog(name)}) that is empty: a restore from it loses the state built so far`);
    } else if (was.logged && !now.logged) {
      add('warning', `store '${name}' no longer writes its changelog ${changelog(name)}: its state lives only on local disk and is lost when its task moves to another worker`);
    }
    const wasInputs = was.inputs.map(carried);
    if (was.subtopology !== undefined && now.subtopology !== undefined && wasInputs.join() !== now.inputs.join()) {
      if (!wasInputs.some((t) => now.inputs.includes(t))) {
        add('incompatible', `store '${name}' is fed from [${now.inputs.join(', ')}] instead of [${was.inputs.join(', ')}]: its state is partitioned by the old inputs' partitions, so keys would be looked up in the wrong task`);
      } else {
        add('note', `the sub-topology of store '${name}' now reads [${now.inputs.join(', ')}] (was [${was.inputs.join(', ')}]); inputs it shares with the old one keep partitioning its state`);
      }
    }
    if (was.subtopology !== now.subtopology && was.subtopology !== undefined && now.subtopology !== undefined) {
      const effect = now.logged
        ? `its local state directories are not reused: each task restores '${name}' from ${changelog(name)} from the beginning on first start`
        : `it has no changelog, so its state is lost`;
      add(now.logged ? 'warning' : 'incompatible', `store '${name}' moves from sub-topology ${was.subtopology} to ${now.subtopology} (task ids ${was.subtopology}_* become ${now.subtopology}_*): ${effect}`);
    }
    if (was.retentionMs !== now.retentionMs && was.kind === now.kind && was.retentionMs !== undefined && now.retentionMs !== undefined) {
      add('note', `store '${name}' changes its changelog retention.ms from ${was.retentionMs} to ${now.retentionMs}; the existing topic keeps its setting until you alter it (kafka-configs.sh --alter --entity-type topics --entity-name ${changelog(name)} --add-config retention.ms=${now.retentionMs})`);
    }
  }

  // ---- repartition (and other internal) topics: records in flight live there ----
  for (const topic of goneTopics) {
    const to = renamedTopics.get(topic);
    const lost = `records written to ${internal(topic)} but not yet processed by the old version are never read (safe only if the old version drained it: lag 0 on it)`;
    add(
      'incompatible',
      to !== undefined
        ? `repartition topic ${internal(topic)} is now ${internal(to)} (a generated name shifted): ${lost}. Name the operation (Grouped.as / Repartitioned.as) so the topic name stays put`
        : `repartition topic ${internal(topic)} is no longer used: ${lost}`,
    );
  }
  for (const topic of newTopics) {
    if ([...renamedTopics.values()].includes(topic)) continue;
    add('note', `repartition topic ${internal(topic)} is new (created at start-up)`);
  }
  for (const [topic, was] of before.internalTopics) {
    if (!after.internalTopics.has(topic)) continue;
    const now = after.internalTopics.get(topic);
    if (was !== now && now !== undefined) {
      add('incompatible', `repartition topic ${internal(topic)} now asks for ${now} partitions (was ${was ?? 'as many as its input'}): the existing topic keeps its count and start-up stops with a mismatch; delete it after draining, or keep the count`);
    }
  }

  // ---- sub-topologies of stateless parts, external topics: notes ----
  for (const was of before.subtopologies) {
    const now = after.subtopologies.find((s) => s.id === was.id);
    if (now && inputsOf(now).join() !== inputsOf(was).map(carried).join() && was.stores.length === 0 && now.stores.length === 0) {
      add('note', `sub-topology ${was.id} reads [${inputsOf(now).join(', ')}] instead of [${inputsOf(was).join(', ')}]: its tasks ${was.id}_* now process other partitions (stateless, so nothing is lost)`);
    }
  }
  if (before.subtopologies.length !== after.subtopologies.length) {
    add('note', `the number of sub-topologies changes from ${before.subtopologies.length} to ${after.subtopologies.length}`);
  }
  for (const t of after.sourceTopics) if (!before.sourceTopics.has(t)) add('note', `reads a new input topic ${t} (from its beginning: auto.offset.reset earliest)`);
  for (const t of before.sourceTopics) if (!after.sourceTopics.has(t)) add('note', `no longer reads input topic ${t} (its committed offsets stay in the group)`);
  for (const t of after.sinkTopics) if (!before.sinkTopics.has(t)) add('note', `writes to a new output topic ${t}`);
  for (const t of before.sinkTopics) if (!after.sinkTopics.has(t)) add('note', `no longer writes to output topic ${t}`);

  const order: Record<FindingLevel, number> = { incompatible: 0, warning: 1, note: 2 };
  findings.sort((a, b) => order[a.level] - order[b.level]);
  return { compatible: !findings.some((f) => f.level === 'incompatible'), findings };
}
