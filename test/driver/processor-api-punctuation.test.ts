// Processor API through TopologyTestDriver: stream-time and wall-clock punctuation with a fake clock,
// forwarding to named children, asynchronous processors keeping record order.
import { afterEach, describe, expect, it } from 'vitest';
import { Record, Serdes, Topology, TopologyTestDriver, type Processor, type ProcessorContext } from 'sluice';

const S = Serdes.String();
const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

function run(t: Topology, start = 0): TopologyTestDriver {
  const d = new TopologyTestDriver(t, { initialWallClockTimeMs: start, defaultKeySerde: S, defaultValueSerde: S });
  drivers.push(d);
  return d;
}

describe('punctuation', () => {
  it('STREAM_TIME fires as record timestamps advance, aligned to 0, skipping missed intervals', async () => {
    const fired: number[] = [];
    class Ticker implements Processor<string, string, string, string> {
      init(ctx: ProcessorContext<string, string>) {
        ctx.schedule(10, 'STREAM_TIME', (ts) => {
          fired.push(ts);
          return ctx.forward(new Record('tick', String(ts), ts));
        });
      }
      process() {}
    }
    const t = new Topology().addSource('in', 'in').addProcessor('ticker', () => new Ticker(), 'in').addSink('out', 'out', 'ticker');
    const d = run(t);
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('a', '1', 3); // first record: fires at once (aligned to 0)
    await input.pipeInput('a', '2', 9); // next due at 10: nothing
    await input.pipeInput('a', '3', 10); // due
    await input.pipeInput('a', '4', 5); // out of order: stream time stays 10
    await input.pipeInput('a', '5', 45); // missed 20 and 30: fires once, next at 50
    await input.pipeInput('a', '6', 49);
    await input.pipeInput('a', '7', 50);
    expect(fired).toEqual([3, 10, 45, 50]);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['3', '10', '45', '50']);
  });

  it('WALL_CLOCK_TIME fires when the fake clock moves, and stops when cancelled', async () => {
    const fired: number[] = [];
    class Wall implements Processor<string, string> {
      init(ctx: ProcessorContext) {
        const c = ctx.schedule(1_000, 'WALL_CLOCK_TIME', (ts) => {
          fired.push(ts);
          if (fired.length === 3) c.cancel();
        });
      }
      process() {}
    }
    const d = run(new Topology().addSource('in', 'in').addProcessor('wall', () => new Wall(), 'in'), 5_000);
    await d.whenReady();
    await d.advanceWallClockTime(999);
    expect(fired).toEqual([]);
    await d.advanceWallClockTime(1);
    expect(fired).toEqual([6_000]);
    await d.advanceWallClockTime(2_500); // to 8_500: due at 7_000 only (8_000 is skipped as missed)
    expect(fired).toEqual([6_000, 8_500]);
    await d.advanceWallClockTime(10_000);
    expect(fired).toEqual([6_000, 8_500, 18_500]);
    await d.advanceWallClockTime(10_000);
    expect(fired).toHaveLength(3);
  });
});

describe('Processor API', () => {
  it('forwards to a named child only, and sees record metadata', async () => {
    const meta: string[] = [];
    class Router implements Processor<string, string, string, string> {
      private ctx!: ProcessorContext<string, string>;
      init(ctx: ProcessorContext<string, string>) {
        this.ctx = ctx;
      }
      process(r: Record<string, string>) {
        const m = this.ctx.recordMetadata()!;
        meta.push(`${m.topic}/${m.partition}/${m.offset}`);
        return this.ctx.forward(r.withValue(r.value.toUpperCase()), r.key === 'x' ? 'to-x' : 'to-y');
      }
    }
    const t = new Topology()
      .addSource('in', 'in')
      .addProcessor('router', () => new Router(), 'in')
      .addSink('to-x', 'x', 'router')
      .addSink('to-y', 'y', 'router');
    const d = run(t);
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('x', 'a');
    await input.pipeInput('y', 'b');
    expect(d.createOutputTopic('x', S, S).readValuesToList()).toEqual(['A']);
    expect(d.createOutputTopic('y', S, S).readValuesToList()).toEqual(['B']);
    expect(meta).toEqual(['in/0/0', 'in/0/1']);
  });

  it('asynchronous processors keep the order of records and of their forwards', async () => {
    const order: string[] = [];
    class Slow implements Processor<string, string, string, string> {
      private ctx!: ProcessorContext<string, string>;
      init(ctx: ProcessorContext<string, string>) {
        this.ctx = ctx;
      }
      async process(r: Record<string, string>) {
        await new Promise((res) => setTimeout(res, r.value === 'first' ? 20 : 1));
        order.push(`slow:${r.value}`);
        // two forwards without awaiting: they still run one after the other
        void this.ctx.forward(r.withValue(`${r.value}-1`));
        void this.ctx.forward(r.withValue(`${r.value}-2`));
      }
    }
    class AsyncSink implements Processor<string, string> {
      async process(r: Record<string, string>) {
        await new Promise((res) => setTimeout(res, r.value.endsWith('-1') ? 10 : 0));
        order.push(`sink:${r.value}`);
      }
    }
    const t = new Topology().addSource('in', 'in').addProcessor('slow', () => new Slow(), 'in').addProcessor('sink', () => new AsyncSink(), 'slow');
    const d = run(t);
    const input = d.createInputTopic('in', S, S);
    const p1 = input.pipeInput('k', 'first');
    const p2 = input.pipeInput('k', 'second');
    await Promise.all([p1, p2]);
    expect(order).toEqual(['slow:first', 'sink:first-1', 'sink:first-2', 'slow:second', 'sink:second-1', 'sink:second-2']);
  });

  it('a processor may read its configured app configs and task id', async () => {
    let seen = '';
    const t = new Topology().addSource('in', 'in').addProcessor('p', () => ({
      init(ctx: ProcessorContext) {
        seen = `${ctx.applicationId}/${ctx.taskId}/${String(ctx.appConfigs['custom'])}`;
      },
      process() {},
    }), 'in');
    const d = new TopologyTestDriver(t, { applicationId: 'my-app', defaultKeySerde: S, defaultValueSerde: S, custom: 42 });
    drivers.push(d);
    await d.whenReady();
    expect(seen).toBe('my-app/0_0/42');
  });
});
