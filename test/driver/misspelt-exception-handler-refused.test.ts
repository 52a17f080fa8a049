// A misspelt exception handler name is refused when the test driver is created, with the valid
// choices, instead of failing with "handler is not a function" at the first bad record.
import { describe, expect, it } from 'vitest';
import { Consumed, Serdes, StreamsBuilder, TopologyTestDriver } from 'sluice';

describe('TopologyTestDriver config', () => {
  it("refuses 'skip' as a handler and names the valid ones", () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(Serdes.String(), Serdes.String())).to('out');
    expect(() => new TopologyTestDriver(b.build(), { deserializationExceptionHandler: 'skip' as never })).toThrow(
      "deserializationExceptionHandler 'skip' is not a handler; use 'logAndFail' (stop the app, the default), 'logAndContinue' (log and skip the record) or a function (context) => 'CONTINUE' | 'FAIL'",
    );
    expect(() => new TopologyTestDriver(b.build(), { processingExceptionHandler: 'LogAndContinue' as never })).toThrow(/\(did you mean 'logAndContinue'\?\)/);
  });
});
