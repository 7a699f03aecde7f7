// Dependency-graph algorithms for the plan checks, all iterative (a 10,000-long dependsOn chain
// must not overflow the stack): cycle finding and memoized reachability with bitsets.

/** A back edge of the graph and the cycle it closes. */
export interface FoundCycle {
  /** the node whose edge closes the cycle */
  from: number;
  /** the position of that edge in `adj[from]` */
  slot: number;
  /** the nodes of the cycle in order, first repeated at the end */
  nodes: number[];
}

/** Every cycle closed by a back edge of a depth-first search. `adj[i][k]` is a node or -1 (no edge). */
export function findCycles(adj: readonly (readonly number[])[]): FoundCycle[] {
  const n = adj.length;
  const color = new Uint8Array(n); // 0 unvisited, 1 on the stack, 2 done
  const posOnStack = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const nextSlot: number[] = [];
  const found: FoundCycle[] = [];
  for (let start = 0; start < n; start++) {
    if (color[start] !== 0) continue;
    color[start] = 1;
    posOnStack[start] = 0;
    stack.push(start);
    nextSlot.push(0);
    while (stack.length) {
      const top = stack.length - 1;
      const v = stack[top]!;
      const slot = nextSlot[top]!;
      const edges = adj[v]!;
      if (slot >= edges.length) {
        color[v] = 2;
        posOnStack[v] = -1;
        stack.pop();
        nextSlot.pop();
        continue;
      }
      nextSlot[top] = slot + 1;
      const w = edges[slot]!;
      if (w < 0) continue;
      if (color[w] === 1) found.push({ from: v, slot, nodes: [...stack.slice(posOnStack[w]!), w] });
      else if (color[w] === 0) {
        color[w] = 1;
        posOnStack[w] = stack.length;
        stack.push(w);
        nextSlot.push(0);
      }
    }
  }
  return found;
}

/** "Can a reach b by following edges?", answered from bitsets computed on first need and kept. */
export class Reachability {
  private readonly adj: readonly (readonly number[])[];
  private readonly words: number;
  private readonly sets: (Uint32Array | undefined)[];

  constructor(adj: readonly (readonly number[])[]) {
    this.adj = adj;
    this.words = (adj.length + 31) >>> 5;
    this.sets = new Array(adj.length);
  }

  /** True when a path of one or more edges leads from a to b. */
  reaches(a: number, b: number): boolean {
    const set = this.sets[a] ?? this.compute(a);
    return (set[b >>> 5]! & (1 << (b & 31))) !== 0;
  }

  // Post-order DFS: a node's set is its successors plus their sets. Inside a cycle (a rejected
  // plan anyway) a node may see a successor's set before it is complete; that only loses answers.
  private compute(root: number): Uint32Array {
    const onStack = new Set<number>([root]);
    const stack = [root];
    const nextSlot = [0];
    while (stack.length) {
      const top = stack.length - 1;
      const v = stack[top]!;
      const edges = this.adj[v]!;
      const slot = nextSlot[top]!;
      if (slot < edges.length) {
        nextSlot[top] = slot + 1;
        const w = edges[slot]!;
        if (w >= 0 && !this.sets[w] && !onStack.has(w)) {
          onStack.add(w);
          stack.push(w);
          nextSlot.push(0);
        }
        continue;
      }
      const set = new Uint32Array(this.words);
      for (const w of edges) {
        if (w < 0) continue;
        set[w >>> 5]! |= 1 << (w & 31);
        const sub = this.sets[w];
        if (sub) for (let i = 0; i < this.words; i++) set[i]! |= sub[i]!;
      }
      this.sets[v] = set;
      onStack.delete(v);
      stack.pop();
      nextSlot.pop();
    }
    return this.sets[root]!;
  }
}
