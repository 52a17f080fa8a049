// Owns split(): the branch processor and one pass-through child per branch, named
// `<splitName><branchName>` (or `<splitName><index>`, 0 for the default branch), as Kafka Streams.
import { BranchProcessor, PassThroughProcessor } from './operators/stateless.js';
import { Branched } from './options.js';
import { KStream } from './kstream.js';

export class BranchedKStream<K, V> {
  private readonly predicates: ((key: K, value: V) => boolean)[] = [];
  private readonly childNames: string[] = [];
  private readonly branches = new Map<string, KStream<unknown, unknown>>();
  private closed = false;

  /** @internal */
  constructor(
    private readonly source: KStream<K, V>,
    private readonly splitName: string,
  ) {
    const b = source.internals.builder;
    const parent = source.internals.nodeName;
    // predicates and child names are shared by reference: branches added later are seen at run time
    const predicates = this.predicates;
    const childNames = this.childNames;
    b.add(splitName, [parent], (t) => t.addProcessor(splitName, () => new BranchProcessor(predicates, childNames), parent));
  }

  branch(predicate: (key: K, value: V) => boolean, branched: Branched<K, V> = Branched.none<K, V>()): this {
    if (this.closed) {
      this.source.internals.builder.problem(`split '${this.splitName}': branch() after defaultBranch()/noDefaultBranch(); add all branches first`);
      return this;
    }
    if (typeof predicate !== 'function') {
      this.source.internals.builder.problem(`split '${this.splitName}': branch() needs a predicate function`);
      return this;
    }
    this.predicates.push(predicate);
    this.createBranch(branched, this.predicates.length);
    return this;
  }

  /** Records no predicate matched go here. Returns the branches by name. */
  defaultBranch(branched: Branched<K, V> = Branched.none<K, V>()): Map<string, KStream<K, V>> {
    this.createBranch(branched, 0);
    this.closed = true;
    return this.branches as Map<string, KStream<K, V>>;
  }

  /** Records no predicate matched are dropped. Returns the branches by name. */
  noDefaultBranch(): Map<string, KStream<K, V>> {
    this.closed = true;
    return this.branches as Map<string, KStream<K, V>>;
  }

  private createBranch(branched: Branched<K, V>, index: number): void {
    const b = this.source.internals.builder;
    const childName = this.splitName + (branched.name ?? String(index));
    this.childNames.push(childName);
    b.newProcessorName(childName); // burns a counter value, as Kafka Streams does
    b.add(childName, [this.splitName], (t) => t.addProcessor(childName, () => new PassThroughProcessor(), this.splitName));
    const stream = new KStream<K, V>({ ...this.source.internals, nodeName: childName });
    if (branched.chain) {
      const result = branched.chain(stream);
      if (result instanceof KStream) this.branches.set(childName, result);
    } else {
      this.branches.set(childName, stream as KStream<unknown, unknown>);
    }
  }
}
