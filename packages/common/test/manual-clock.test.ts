import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/index.js';

describe('ManualClock', () => {
  it('fires timers in time order as it advances, and intervals repeatedly', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`t300@${clock.now()}`), 300);
    clock.setInterval(() => fired.push(`i100@${clock.now()}`), 100);
    const cancelled = clock.setTimeout(() => fired.push('never'), 50);
    cancelled.cancel();
    clock.advance(250);
    expect(fired).toEqual(['i100@1100', 'i100@1200']);
    clock.advance(100);
    // equal due times fire in the order they were scheduled
    expect(fired).toEqual(['i100@1100', 'i100@1200', 't300@1300', 'i100@1300']);
    expect(clock.now()).toBe(1_350);
  });

  it('refuses to go back in time', () => {
    expect(() => new ManualClock().advance(-1)).toThrow(/>= 0/);
  });
});
