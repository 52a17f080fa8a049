// Owns the time segments of a window or session store: one key-value bytes store per segment of
// `segmentIntervalMs`, created on first write, found again on disk at init, and dropped whole (closed
// and deleted) once every time in it is older than the retention period.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { KeyValueBytesStore, StateStoreContext } from '../../store.js';

/** How segments of one store kind are made and destroyed. */
export interface SegmentKind {
  readonly persistent: boolean;
  /** A new, unopened store for one segment; persistent ones live at `<taskDir>/<storeName>/<segmentId>`. */
  create(storeName: string, segmentId: number): KeyValueBytesStore;
}

export function segmentsDirectory(context: StateStoreContext, storeName: string): string {
  return path.join(context.taskDir, storeName);
}

export function segmentDirectory(context: StateStoreContext, storeName: string, segmentId: number): string {
  return path.join(context.taskDir, storeName, String(segmentId));
}

export class Segments {
  private readonly byId = new Map<number, KeyValueBytesStore>();
  /** Ids in ascending order; a store has a handful of live segments, so a sorted array is enough. */
  private ids: number[] = [];
  private readonly opening = new Map<number, Promise<KeyValueBytesStore>>();
  private context: StateStoreContext | undefined;

  constructor(
    private readonly storeName: string,
    readonly segmentIntervalMs: number,
    private readonly kind: SegmentKind,
  ) {}

  segmentId(timestamp: number): number {
    return Math.floor(timestamp / this.segmentIntervalMs);
  }

  /** The last timestamp that falls into segment `id`. */
  segmentEnd(id: number): number {
    return Math.min((id + 1) * this.segmentIntervalMs - 1, Number.MAX_SAFE_INTEGER);
  }

  /** Opens the segments found on disk; returns the highest id (or undefined). */
  async openExisting(context: StateStoreContext): Promise<number | undefined> {
    this.context = context;
    if (!this.kind.persistent) return this.ids.at(-1);
    const dir = segmentsDirectory(context, this.storeName);
    await fs.mkdir(dir, { recursive: true });
    const found = (await fs.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && /^\d+$/.test(e.name))
      .map((e) => Number(e.name))
      .sort((a, b) => a - b);
    for (const id of found) await this.getOrCreate(id);
    return this.ids.at(-1);
  }

  get(id: number): KeyValueBytesStore | undefined {
    return this.byId.get(id);
  }

  async getOrCreate(id: number): Promise<KeyValueBytesStore> {
    const existing = this.byId.get(id);
    if (existing !== undefined) return existing;
    // Two writes into a new segment may race; both must get the one database.
    let pending = this.opening.get(id);
    if (pending === undefined) {
      pending = this.openSegment(id);
      this.opening.set(id, pending);
    }
    try {
      return await pending;
    } finally {
      this.opening.delete(id);
    }
  }

  /** Ids of the segments in [fromId, toId], in time order (reversed when backward). */
  idsInRange(fromId: number, toId: number, backward: boolean): number[] {
    const out = this.ids.filter((id) => id >= fromId && id <= toId);
    return backward ? out.reverse() : out;
  }

  /** Closes and deletes every segment older than `minLiveId`. */
  async dropBefore(minLiveId: number): Promise<void> {
    const expired = this.ids.filter((id) => id < minLiveId);
    if (expired.length === 0) return;
    this.ids = this.ids.filter((id) => id >= minLiveId);
    for (const id of expired) {
      const store = this.byId.get(id)!;
      this.byId.delete(id);
      await this.destroy(store, id);
    }
  }

  async flush(): Promise<void> {
    for (const id of this.ids) await this.byId.get(id)!.flush();
  }

  async close(): Promise<void> {
    const stores = this.ids.map((id) => this.byId.get(id)!);
    this.byId.clear();
    this.ids = [];
    for (const s of stores) await s.close();
  }

  /** Deletes all segments (and, for persistent kinds, the store's directory). */
  async wipe(): Promise<void> {
    const ids = [...this.ids];
    for (const id of ids) await this.destroy(this.byId.get(id)!, id);
    this.byId.clear();
    this.ids = [];
    if (this.kind.persistent && this.context !== undefined) {
      await fs.rm(segmentsDirectory(this.context, this.storeName), { recursive: true, force: true });
      await fs.mkdir(segmentsDirectory(this.context, this.storeName), { recursive: true });
    }
  }

  get count(): number {
    return this.ids.length;
  }

  private async openSegment(id: number): Promise<KeyValueBytesStore> {
    if (this.context === undefined) throw new Error(`segments of '${this.storeName}' used before init`);
    const store = this.kind.create(this.storeName, id);
    await store.init(this.context);
    this.byId.set(id, store);
    this.ids.push(id);
    this.ids.sort((a, b) => a - b);
    return store;
  }

  private async destroy(store: KeyValueBytesStore, id: number): Promise<void> {
    await store.close();
    if (this.kind.persistent && this.context !== undefined) {
      await fs.rm(segmentDirectory(this.context, this.storeName, id), { recursive: true, force: true });
    }
  }
}
