// Owns KTable.suppress(): naming the suppress node and its buffer store as Kafka Streams does
// (KTABLE-SUPPRESS-…, KTABLE-SUPPRESS-STATE-STORE-…, or <name> and <name>-store), finding the grace
// period of the windowed aggregation upstream for final results, and adding node and buffer.
import type { ProcessorSupplier } from '../../processor/api.js';
import { KTable, TablePrefix } from '../ktable.js';
import type { TableSupplier } from '../ktable/table-processors.js';
import { isWindowedTableSupplier } from '../operators/window-common.js';
import { SuppressProcessorSupplier, type SuppressSpec } from './suppress-processor.js';
import { Suppressed } from './suppressed.js';
import { SuppressionBufferBuilder } from './suppression-buffer.js';

/**
 * How long after a window's end its result is final: the grace period of the windowed aggregation
 * this table comes from, through filters, mapValues and other suppressions (Kafka's
 * GraphGraceSearchUtil). Undefined when the table is not windowed.
 */
function windowCloseDelay(supplier: TableSupplier): number | undefined {
  for (let s: unknown = supplier; s !== undefined && s !== null; s = (s as { parent?: unknown }).parent) {
    if (isWindowedTableSupplier(s)) return s.windowCloseDelayMs();
  }
  return undefined;
}

export function suppressTable<K, V>(table: KTable<K, V>, suppressed: Suppressed<K>): KTable<K, V> {
  const b = table.internals.builder;
  const parent = table.internals.nodeName;
  if (!(suppressed instanceof Suppressed)) {
    const name = b.newProcessorName(TablePrefix.SUPPRESS);
    b.problem(`suppress() of table '${parent}' needs Suppressed.untilWindowCloses(…) or Suppressed.untilTimeLimit(…)`, name);
    return table;
  }
  const name = suppressed.name ?? b.newProcessorName(TablePrefix.SUPPRESS);
  const storeName = suppressed.name !== undefined ? `${suppressed.name}-store` : b.newStoreName(TablePrefix.SUPPRESS);
  const config = suppressed.bufferConfig;
  let spec: SuppressSpec;
  if (suppressed.mode === 'final') {
    const grace = windowCloseDelay(table.internals.supplier);
    if (grace === undefined) {
      b.problem(
        `suppress(untilWindowCloses) of table '${parent}': window close time is only defined for windowed computations, and this table does not come from ` +
          `windowedBy(...).count/reduce/aggregate; use Suppressed.untilTimeLimit(ms, bufferConfig) for other tables`,
        name,
      );
    }
    spec = { bufferTime: 'window-end', suppressDurationMs: grace ?? 0, maxRecords: config.maxRecords, maxBytes: config.maxBytes, bufferFullStrategy: config.bufferFullStrategy, safeToDropTombstones: true };
  } else {
    spec = {
      bufferTime: 'record',
      suppressDurationMs: suppressed.timeToWaitForMoreEventsMs,
      maxRecords: config.maxRecords,
      maxBytes: config.maxBytes,
      bufferFullStrategy: config.bufferFullStrategy,
      safeToDropTombstones: false,
    };
  }
  const supplier = new SuppressProcessorSupplier<K, V>(table.internals.supplier, name, storeName, spec);
  const store = new SuppressionBufferBuilder<K, V>(storeName, `suppress() '${name}'`, table.internals.keySerde, table.internals.valueSerde, config.logConfig);
  b.addProcessorWithStore(name, parent, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, store);
  return new KTable<K, V>({ builder: b, nodeName: name, keySerde: table.internals.keySerde, valueSerde: table.internals.valueSerde, supplier, queryableStoreName: undefined });
}
