// The built-in serdes write the bytes Kafka's Java serializers write (big-endian two's complement,
// IEEE 754, UTF-8), so Java producers and consumers share topics with Sluice; bad bytes are refused
// with the serde's name and what to do.
import { describe, expect, it } from 'vitest';
import { Serdes, WindowedSerdes, Windowed, TimeWindow, SessionWindow } from '../src/index.js';

const hex = (b: Buffer) => b.toString('hex');

describe('Java byte layout', () => {
  it('Integer, Long, Short, Double, Float, Boolean, String', () => {
    expect(hex(Serdes.Integer().serialize('t', 1))).toBe('00000001');
    expect(hex(Serdes.Integer().serialize('t', -2))).toBe('fffffffe');
    expect(hex(Serdes.Long().serialize('t', 258))).toBe('0000000000000102');
    expect(hex(Serdes.Long().serialize('t', -1))).toBe('ffffffffffffffff');
    expect(hex(Serdes.BigLong().serialize('t', 2n ** 63n - 1n))).toBe('7fffffffffffffff');
    expect(hex(Serdes.Short().serialize('t', -1))).toBe('ffff');
    expect(hex(Serdes.Double().serialize('t', 1.5))).toBe('3ff8000000000000');
    expect(hex(Serdes.Float().serialize('t', 1.5))).toBe('3fc00000');
    expect(hex(Serdes.Boolean().serialize('t', true))).toBe('01');
    expect(hex(Serdes.String().serialize('t', 'zß'))).toBe('7ac39f');
    for (const [serde, v] of [
      [Serdes.Integer(), -123456],
      [Serdes.Long(), Number.MAX_SAFE_INTEGER],
      [Serdes.Double(), -0.25],
    ] as const) {
      expect(serde.deserialize('t', serde.serialize('t', v))).toBe(v);
    }
  });

  it('refuses wrong lengths and unsafe values with the serde name and the fix', () => {
    expect(() => Serdes.Long().deserialize('orders', Buffer.from([1, 2]))).toThrow(/Long serde expects exactly 8 bytes but got 2 on topic 'orders'/);
    expect(() => Serdes.Integer().serialize('t', 2 ** 31)).toThrow(/Integer serde can write 32-bit integers only.*use Serdes.Long\(\)/);
    expect(() => Serdes.Long().deserialize('t', Buffer.from('7fffffffffffffff', 'hex'))).toThrow(/use Serdes.BigLong\(\)/);
    expect(() => Serdes.Json().deserialize('t', Buffer.from('{oops'))).toThrow(/Json serde could not parse 5 bytes on topic 't' \(starts with "\{oops"\)/);
  });

  it('windowed keys match Kafka: <key><start> and <key><end><start>', () => {
    const tw = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 1000);
    const bytes = tw.serialize('t', new Windowed('a', new TimeWindow(5000, 6000)));
    expect(hex(bytes)).toBe('61' + '0000000000001388');
    const back = tw.deserialize('t', bytes);
    expect([back.key, back.window.start, back.window.end]).toEqual(['a', 5000, 6000]);
    const sw = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
    const sb = sw.serialize('t', new Windowed('a', new SessionWindow(10, 20)));
    expect(hex(sb)).toBe('61' + '0000000000000014' + '000000000000000a');
    expect(sw.deserialize('t', sb).window).toEqual(new SessionWindow(10, 20));
  });
});
