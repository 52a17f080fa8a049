// KStream.print(Printed…): one "[label]: key, value" line per record to standard output or a file,
// a custom label and mapper, and the errors of Kafka's PrintedTest.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Consumed, Named, Printed, Serdes, StreamsBuilder, TopologyTestDriver, Windowed, TimeWindow } from 'sluice';

const S = Serdes.String();
const I = Serdes.Integer();
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
function drive(b: StreamsBuilder): TopologyTestDriver {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'print' });
  cleanup.push(() => d.close());
  return d;
}
function captureStdout(): string[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  cleanup.push(() => spy.mockRestore());
  return lines;
}

describe('print', () => {
  it('prints to standard output, labelled with the printed stream\'s node name by default', async () => {
    const out = captureStdout();
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I)).print(Printed.toSysOut());
    const d = drive(b);
    await d.createInputTopic('in', S, I).pipeInput('good', 2, 0);
    await d.createInputTopic('in', S, I).pipeInput(null, null, 0);
    expect(out).toEqual(['[KSTREAM-SOURCE-0000000000]: good, 2\n', '[KSTREAM-SOURCE-0000000000]: null, null\n']);
    expect(b.build().describe().toString()).toContain('Processor: KSTREAM-PRINTER-0000000001 (stores: [])');
  });

  it('uses the label, the key-value mapper and the processor name given', async () => {
    const out = captureStdout();
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I)).print(
      Printed.toSysOut<string, number>()
        .withLabel('label')
        .withKeyValueMapper((k, v) => `${k} -> ${v}`)
        .withName('printer'),
    );
    const d = drive(b);
    await d.createInputTopic('in', S, I).pipeInput('hello', 1, 0);
    expect(out).toEqual(['[label]: hello -> 1\n']);
    expect(b.build().describe().toString()).toContain('Processor: printer (stores: [])');
  });

  it('prints objects by their own toString, or as JSON', async () => {
    const out = captureStdout();
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, Serdes.Json<{ n: number }>()))
      .map((k, v) => [new Windowed(k, new TimeWindow(0, 10)), v] as const)
      .print(Printed.toSysOut<Windowed<string>, { n: number }>().withLabel('w'));
    const d = drive(b);
    await d.createInputTopic('in', S, Serdes.Json<{ n: number }>()).pipeInput('k', { n: 1 }, 0);
    expect(out).toEqual([`[w]: ${new Windowed('k', new TimeWindow(0, 10)).toString()}, {"n":1}\n`]);
  });

  it('prints to a file, created when toFile() is called (shouldCreateProcessorThatPrintsToFile)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'print-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'out.txt');
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I)).print(Printed.toFile<string, number>(file).withLabel('processor'));
    expect(readFileSync(file, 'utf8')).toBe('');
    const d = drive(b);
    await d.createInputTopic('in', S, I).pipeInput('hi', 1, 0);
    await d.createInputTopic('in', S, I).pipeInput('ho', 2, 0);
    await d.close();
    expect(readFileSync(file, 'utf8')).toBe('[processor]: hi, 1\n[processor]: ho, 2\n');
  });

  it('refuses an empty or unwritable path, a missing label or mapper', () => {
    expect(() => Printed.toFile('')).toThrow(/filePath can't be an empty string/);
    expect(() => Printed.toFile('/this/should/not/exist/file.txt')).toThrow(/Unable to write stream to file at \[\/this\/should\/not\/exist\/file.txt\]/);
    expect(() => Printed.toSysOut().withLabel(null as never)).toThrow(/label can't be null/);
    expect(() => Printed.toSysOut().withKeyValueMapper(null as never)).toThrow(/mapper can't be null/);
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I)).print(Named.as('x') as never);
    expect(() => b.build()).toThrow(/print\(\) needs a Printed/);
  });
});
