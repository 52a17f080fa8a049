// Owns grouping of nodes into sub-topologies: nodes joined by an edge or by a shared store end up
// in one group (Kafka Streams' QuickUnion).

export class UnionFind {
  private readonly parent = new Map<string, string>();

  add(id: string): void {
    if (!this.parent.has(id)) this.parent.set(id, id);
  }

  root(id: string): string {
    let cur = id;
    for (;;) {
      const p = this.parent.get(cur);
      if (p === undefined) throw new Error(`UnionFind: unknown id ${id}`);
      if (p === cur) return cur;
      const gp = this.parent.get(p)!;
      this.parent.set(cur, gp); // path halving
      cur = gp;
    }
  }

  unite(a: string, ...others: string[]): void {
    const ra = this.root(a);
    for (const o of others) {
      const ro = this.root(o);
      if (ro !== ra) this.parent.set(ro, ra);
    }
  }
}
