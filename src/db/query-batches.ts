/**
 * Gathers many small database calls into one: callers `add` an item and get its own result, the
 * batch runs as one query (or one transaction) when it has `maxItems` items or when the first item
 * has waited `maxWaitMs` (0: at the end of the current turn of the event loop, so that the calls of
 * every socket read in that turn go together and a lone call waits for nothing). Used where each charger sends a little and thousands send at once (meter
 * values, heartbeats, registration checks): one round trip for a hundred calls instead of a hundred.
 *
 * A caller's promise settles only when its batch has run, so "answered" still means "written"; a
 * failed batch fails every item in it. Batches run `concurrency` at a time; the next one fills while
 * they run, which is what makes batches grow under load and stay tiny (one item, no wait beyond
 * `maxWaitMs`) when the hub is quiet.
 */
export class QueryBatches<Item, Result> {
  private pending: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private readonly idle: (() => void)[] = [];

  constructor(
    /** Runs one batch; answers one result per item, in order. */
    private readonly run: (items: Item[]) => Promise<Result[]>,
    private readonly options: { maxItems: number; maxWaitMs: number; concurrency: number },
  ) {}

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxItems) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        if (this.options.maxWaitMs > 0) this.timer = setTimeout(() => this.flush(), this.options.maxWaitMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves when nothing is pending or running (shutdown, tests). */
  async drained(): Promise<void> {
    if (this.pending.length) this.flush();
    while (this.running || this.pending.length) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled = false;
    // All runners busy: the batch keeps filling and goes when one finishes.
    if (!this.pending.length || this.running >= this.options.concurrency) return;
    const batch = this.pending.splice(0, this.options.maxItems);
    this.running++;
    this.run(batch.map((p) => p.item))
      .then((results) => {
        if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} items answered ${results.length} results`);
        batch.forEach((p, i) => p.resolve(results[i]));
      })
      .catch((error) => batch.forEach((p) => p.reject(error)))
      .finally(() => {
        this.running--;
        if (this.pending.length) this.flush();
        else if (!this.running) for (const resolve of this.idle.splice(0)) resolve();
      });
  }
}
