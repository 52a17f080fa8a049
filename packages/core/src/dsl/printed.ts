// Owns Printed (where KStream.print writes: standard output or a file, with a label and a key-value
// mapper) and the processor behind print(): one line "[label]: key, value" per record, as Kafka
// Streams' PrintForeachAction writes it. A file is opened (and truncated) when toFile() is called,
// as Kafka does, so a bad path fails while the topology is built.
import { closeSync, openSync, writeSync } from 'node:fs';
import { TopologyError } from '@sluice/common';
import type { Processor } from '../processor/api.js';
import type { Record } from '../processor/record.js';

/** Java's String.valueOf for what records hold: null as "null", objects by their own toString() or as JSON. */
export function printable(x: unknown): string {
  if (x === null || x === undefined) return 'null';
  if (typeof x !== 'object') return String(x);
  if (Buffer.isBuffer(x)) return `[${[...x].join(', ')}]`;
  const own = (x as { toString?: () => string }).toString;
  if (typeof own === 'function' && own !== Object.prototype.toString && own !== Array.prototype.toString) return own.call(x);
  try {
    return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(x);
  }
}

/** A file shared by every task printing to it; closed when the last one closes, reopened to append. */
class PrintFile {
  private fd: number | undefined;
  private users = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new TopologyError(`Unable to write stream to file at [${path}] ${(err as Error).message}`, { cause: err });
    }
  }

  open(): void {
    this.users++;
    this.fd ??= openSync(this.path, 'a');
  }

  write(line: string): void {
    if (this.fd === undefined) this.fd = openSync(this.path, 'a');
    writeSync(this.fd, line);
  }

  close(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0 && this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

export class Printed<K, V> {
  private constructor(
    /** @internal */ readonly file: PrintFile | undefined,
    /** @internal */ readonly label: string | undefined,
    /** @internal */ readonly mapper: (key: K, value: V) => string,
    /** @internal */ readonly processorName: string | undefined,
  ) {}

  /** Print to standard output. */
  static toSysOut<K, V>(): Printed<K, V> {
    return new Printed<K, V>(undefined, undefined, (k, v) => `${printable(k)}, ${printable(v)}`, undefined);
  }

  /** Print to a file; it is created (or truncated) now, and a path that cannot be written fails here. */
  static toFile<K, V>(filePath: string): Printed<K, V> {
    if (typeof filePath !== 'string' || filePath.trim().length === 0) throw new TopologyError("filePath can't be an empty string: give the file print() should write to");
    return new Printed<K, V>(new PrintFile(filePath), undefined, (k, v) => `${printable(k)}, ${printable(v)}`, undefined);
  }

  /** The text between brackets at the start of each line (default: the name of the printed stream's node). */
  withLabel(label: string): Printed<K, V> {
    if (typeof label !== 'string') throw new TopologyError("label can't be null: give the text print() puts before each record");
    return new Printed(this.file, label, this.mapper, this.processorName);
  }

  /** How a record is shown after the label (default "key, value"). */
  withKeyValueMapper(mapper: (key: K, value: V) => string): Printed<K, V> {
    if (typeof mapper !== 'function') throw new TopologyError("mapper can't be null: give a function (key, value) => string");
    return new Printed(this.file, this.label, mapper, this.processorName);
  }

  /** The name of the print processor (default KSTREAM-PRINTER-<n>). */
  withName(processorName: string): Printed<K, V> {
    return new Printed(this.file, this.label, this.mapper, processorName);
  }
}

/** @internal The processor of print(): writes one line per record. */
export class PrintProcessor<K, V> implements Processor<K, V> {
  constructor(
    private readonly printed: Printed<K, V>,
    private readonly label: string,
  ) {}

  init(): void {
    this.printed.file?.open();
  }

  process(record: Record<K, V>): void {
    const line = `[${this.label}]: ${this.printed.mapper(record.key, record.value)}\n`;
    if (this.printed.file) this.printed.file.write(line);
    else process.stdout.write(line);
  }

  close(): void {
    this.printed.file?.close();
  }
}
