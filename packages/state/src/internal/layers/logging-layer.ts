// Owns what every change-logging layer shares: a change goes to the store's changelog topic through
// context.logChange after the store below has taken it, in the changelog format (changelog-format.ts),
// stamped with the write's own timestamp or else the write time (write-time.ts). Reads, wipe and the
// rest of the lifecycle pass straight through.
import { toChangelog } from './changelog-format.js';
import type { WipeableStore } from './layer-types.js';
import { WrappingLayer } from './wrapping-layer.js';
import { writeTime } from './write-time.js';

export abstract class ChangeLoggingLayer<S extends WipeableStore> extends WrappingLayer<S> {
  constructor(
    inner: S,
    private readonly timestamped: boolean,
  ) {
    super(inner);
  }

  wipe(): Promise<void> {
    return this.inner.wipe();
  }

  /** Logs one change under `changelogKey`; call it once the store below has the write. */
  protected log(changelogKey: Buffer, value: Buffer | null, timestamp: number | undefined): void {
    const context = this.context!;
    const change = toChangelog(value, this.timestamped, timestamp ?? writeTime(context));
    context.logChange(this.name, changelogKey, change.value, change.timestamp);
  }
}
