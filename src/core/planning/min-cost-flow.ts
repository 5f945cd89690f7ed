/**
 * A small min-cost flow network with real capacities, augmented by successive shortest paths
 * (Bellman-Ford queue: residual arcs carry negative costs). The planner's networks are small (cars +
 * slots + 2 nodes), so this stays simple rather than fast. Augmenting from the source never lowers the
 * flow on an arc leaving the source (an augmenting path does not come back through the source), which
 * is what makes "serve class 1 fully, then class 2 without taking from class 1" hold.
 */

/** Amounts below this (Wh) are treated as zero: float noise of repeated augmentations. */
export const FLOW_EPSILON = 1e-7;

export class FlowNetwork {
  private readonly head: number[];
  private readonly to: number[] = [];
  private readonly next: number[] = [];
  readonly capacity: number[] = [];
  private readonly cost: number[] = [];

  constructor(readonly nodeCount: number) {
    this.head = new Array(nodeCount).fill(-1);
  }

  /** Adds an arc (and its residual twin); returns the arc's id. */
  addArc(from: number, to: number, capacity: number, cost: number): number {
    const id = this.to.length;
    this.pushArc(from, to, capacity, cost);
    this.pushArc(to, from, 0, -cost);
    return id;
  }

  private pushArc(from: number, to: number, capacity: number, cost: number): void {
    this.to.push(to);
    this.capacity.push(capacity);
    this.cost.push(cost);
    this.next.push(this.head[from]);
    this.head[from] = this.to.length - 1;
  }

  /** Flow currently on arc `id` (what its residual twin holds). */
  flow(id: number): number {
    return this.capacity[id ^ 1];
  }

  /** Raises the capacity of arc `id` (e.g. a car's next stage of energy). */
  raiseCapacity(id: number, by: number): void {
    this.capacity[id] += by;
  }

  /**
   * Pushes as much flow as possible from `source` to `sink`, each time along a cheapest path (so the
   * flow stays cheapest for its amount). Returns the amount pushed.
   */
  augment(source: number, sink: number): number {
    const n = this.nodeCount;
    let pushed = 0;
    const distance = new Float64Array(n);
    const via = new Int32Array(n);
    const queued = new Uint8Array(n);
    for (;;) {
      distance.fill(Infinity);
      via.fill(-1);
      distance[source] = 0;
      const queue: number[] = [source];
      queued[source] = 1;
      for (let q = 0; q < queue.length; q++) {
        const node = queue[q];
        queued[node] = 0;
        for (let arc = this.head[node]; arc !== -1; arc = this.next[arc]) {
          if (this.capacity[arc] <= FLOW_EPSILON) continue;
          const target = this.to[arc];
          // Never back into the source: that would take flow from a car already served.
          if (target === source) continue;
          // A tiny tolerance keeps float noise from cycling among equal-cost paths.
          const candidate = distance[node] + this.cost[arc];
          if (candidate < distance[target] - 1e-12) {
            distance[target] = candidate;
            via[target] = arc;
            if (!queued[target]) {
              queued[target] = 1;
              queue.push(target);
            }
          }
        }
      }
      if (via[sink] === -1) return pushed;
      let amount = Infinity;
      for (let node = sink; node !== source; node = this.to[via[node] ^ 1]) amount = Math.min(amount, this.capacity[via[node]]);
      for (let node = sink; node !== source; node = this.to[via[node] ^ 1]) {
        this.capacity[via[node]] -= amount;
        this.capacity[via[node] ^ 1] += amount;
      }
      pushed += amount;
    }
  }
}
