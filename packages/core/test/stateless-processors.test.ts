// Unit tests of the processors behind the stateless operators, with a context that records what
// they forward (no task, no driver).
import { describe, expect, it } from 'vitest';
import { Record } from '../src/index.js';
import type { ProcessorContext } from '../src/index.js';
import {
  BranchProcessor,
  FilterProcessor,
  FlatMapProcessor,
  FlatMapValuesProcessor,
  ForeachProcessor,
  MapProcessor,
  MapValuesProcessor,
  PeekProcessor,
  SelectKeyProcessor,
} from '../src/dsl/operators/stateless.js';

function recording() {
  const forwarded: { key: unknown; value: unknown; timestamp: number; child: string | undefined }[] = [];
  const ctx = {
    forward: (r: Record<unknown, unknown>, child?: string) => {
      forwarded.push({ key: r.key, value: r.value, timestamp: r.timestamp, child });
    },
  } as unknown as ProcessorContext<unknown, unknown>;
  return { ctx, forwarded };
}

const rec = new Record('k', 3, 42);

describe('stateless processors', () => {
  it('filter and filterNot', () => {
    const a = recording();
    const keep = new FilterProcessor<string, number>((_k, v) => v > 2, false);
    keep.init(a.ctx as never);
    void keep.process(rec);
    void keep.process(rec.withValue(1));
    expect(a.forwarded.map((f) => f.value)).toEqual([3]);
    const b = recording();
    const drop = new FilterProcessor<string, number>((_k, v) => v > 2, true);
    drop.init(b.ctx as never);
    void drop.process(rec);
    void drop.process(rec.withValue(1));
    expect(b.forwarded.map((f) => f.value)).toEqual([1]);
  });

  it('map, mapValues, selectKey keep the timestamp', () => {
    const r = recording();
    const procs = [
      new MapProcessor<string, number, string, string>((k, v) => [`${k}!`, `v${v}`]),
      new MapValuesProcessor<string, number, number>((v, k) => v * 10 + k.length),
      new SelectKeyProcessor<string, number, number>((_k, v) => v),
    ];
    for (const p of procs) {
      p.init(r.ctx as never);
      void p.process(rec);
    }
    expect(r.forwarded).toEqual([
      { key: 'k!', value: 'v3', timestamp: 42, child: undefined },
      { key: 'k', value: 31, timestamp: 42, child: undefined },
      { key: 3, value: 3, timestamp: 42, child: undefined },
    ]);
  });

  it('map refuses a mapper that returns no pair', () => {
    const r = recording();
    const p = new MapProcessor<string, number, string, string>(() => 'oops' as never);
    p.init(r.ctx as never);
    expect(() => p.process(rec)).toThrow(/map\(\) must return a key-value pair: \{ key, value \} or \[key, value\], got string/);
  });

  it('flatMap and flatMapValues forward every element in order', () => {
    const r = recording();
    const fm = new FlatMapProcessor<string, number, string, number>((k, v) => [[k, v], { key: `${k}2`, value: v + 1 }]);
    const fmv = new FlatMapValuesProcessor<string, number, number>((v) => [v, v, v]);
    fm.init(r.ctx as never);
    fmv.init(r.ctx as never);
    void fm.process(rec);
    void fmv.process(rec);
    expect(r.forwarded.map((f) => [f.key, f.value])).toEqual([
      ['k', 3],
      ['k2', 4],
      ['k', 3],
      ['k', 3],
      ['k', 3],
    ]);
  });

  it('peek and foreach run the action; only peek forwards', () => {
    const seen: unknown[] = [];
    const r = recording();
    const peek = new PeekProcessor<string, number>((k, v) => seen.push([k, v]));
    peek.init(r.ctx as never);
    void peek.process(rec);
    void new ForeachProcessor<string, number>((k, v) => {
      seen.push(`${k}=${v}`);
    }).process(rec);
    expect(seen).toEqual([['k', 3], 'k=3']);
    expect(r.forwarded).toHaveLength(1);
  });

  it('branch: first matching predicate wins, then the default child', () => {
    const r = recording();
    const b = new BranchProcessor<string, number>([(_k, v) => v < 0, (_k, v) => v < 10], ['neg', 'small', 'rest']);
    b.init(r.ctx as never);
    for (const v of [-1, 5, 50]) void b.process(rec.withValue(v));
    expect(r.forwarded.map((f) => f.child)).toEqual(['neg', 'small', 'rest']);
  });
});
