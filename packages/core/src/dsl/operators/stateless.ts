// Owns the processors behind the stateless KStream operators. Each is small: it calls the user's
// function and forwards what it returns. A processor's result is the last forward's, so callers
// wait for asynchronous children (forwards of one node already run in order).
import type { Processor, ProcessorContext } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { toKeyValue, type KeyValueLike } from '../key-value.js';

abstract class Forwarding<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {
  protected ctx!: ProcessorContext<KOut, VOut>;
  init(context: ProcessorContext<KOut, VOut>): void {
    this.ctx = context;
  }
  abstract process(record: Record<KIn, VIn>): void | Promise<void>;
}

export class FilterProcessor<K, V> extends Forwarding<K, V, K, V> {
  constructor(
    private readonly predicate: (key: K, value: V) => boolean,
    private readonly not: boolean,
  ) {
    super();
  }
  process(record: Record<K, V>): void | Promise<void> {
    if (Boolean(this.predicate(record.key, record.value)) !== this.not) return this.ctx.forward(record);
    return undefined;
  }
}

export class MapProcessor<K, V, KR, VR> extends Forwarding<K, V, KR, VR> {
  constructor(private readonly mapper: (key: K, value: V) => KeyValueLike<KR, VR>) {
    super();
  }
  process(record: Record<K, V>): void | Promise<void> {
    const kv = toKeyValue(this.mapper(record.key, record.value), 'map()');
    return this.ctx.forward(record.withKey(kv.key).withValue(kv.value));
  }
}

export class MapValuesProcessor<K, V, VR> extends Forwarding<K, V, K, VR> {
  constructor(private readonly mapper: (value: V, key: K) => VR) {
    super();
  }
  process(record: Record<K, V>): void | Promise<void> {
    return this.ctx.forward(record.withValue(this.mapper(record.value, record.key)));
  }
}

export class SelectKeyProcessor<K, V, KR> extends Forwarding<K, V, KR, V> {
  constructor(private readonly selector: (key: K, value: V) => KR) {
    super();
  }
  process(record: Record<K, V>): void | Promise<void> {
    return this.ctx.forward(record.withKey(this.selector(record.key, record.value)));
  }
}

export class FlatMapProcessor<K, V, KR, VR> extends Forwarding<K, V, KR, VR> {
  constructor(private readonly mapper: (key: K, value: V) => Iterable<KeyValueLike<KR, VR>>) {
    super();
  }
  process(record: Record<K, V>): void | Promise<void> {
    let last: void | Promise<void> = undefined;
    for (const kv of this.mapper(record.key, record.value)) {
      const p = toKeyValue(kv, 'flatMap()');
      last = this.ctx.forward(record.withKey(p.key).withValue(p.value)) ?? last;
    }
    return last;
  }
}

export class FlatMapValuesProcessor<K, V, VR> extends Forwarding<K, V, K, VR> {
  constructor(private readonly mapper: (value: V, key: K) => Iterable<VR>) {
    super();
  }
  process(record: Record<K, V>): void | Promise<void> {
    let last: void | Promise<void> = undefined;
    for (const v of this.mapper(record.value, record.key)) last = this.ctx.forward(record.withValue(v)) ?? last;
    return last;
  }
}

export class PeekProcessor<K, V> extends Forwarding<K, V, K, V> {
  constructor(private readonly action: (key: K, value: V) => void) {
    super();
  }
  process(record: Record<K, V>): void | Promise<void> {
    this.action(record.key, record.value);
    return this.ctx.forward(record);
  }
}

export class ForeachProcessor<K, V> implements Processor<K, V> {
  constructor(private readonly action: (key: K, value: V) => void | Promise<void>) {}
  process(record: Record<K, V>): void | Promise<void> {
    return this.action(record.key, record.value);
  }
}

export class PassThroughProcessor<K, V> extends Forwarding<K, V, K, V> {
  process(record: Record<K, V>): void | Promise<void> {
    return this.ctx.forward(record);
  }
}

/** split(): sends each record to the first branch whose predicate matches, else to the default branch. */
export class BranchProcessor<K, V> extends Forwarding<K, V, K, V> {
  constructor(
    private readonly predicates: readonly ((key: K, value: V) => boolean)[],
    /** Child names: one per predicate, then the default branch's if there is one. */
    private readonly childNames: readonly string[],
  ) {
    super();
  }
  process(record: Record<K, V>): void | Promise<void> {
    for (let i = 0; i < this.predicates.length; i++) {
      if (this.predicates[i]!(record.key, record.value)) return this.ctx.forward(record, this.childNames[i]);
    }
    if (this.childNames.length > this.predicates.length) return this.ctx.forward(record, this.childNames[this.predicates.length]);
    return undefined;
  }
}
