// One-at-a-time processing with coalescing: two events for one item never race, and an item
// already waiting its turn is not queued twice.

/** A FIFO of async tasks run strictly one after another, keyed to drop repeats while waiting. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly waiting = new Map<string, Promise<void>>();

  /** Queue `task` under `key` (or join the queued one); resolves when it has run. Task errors go to onError. */
  push(key: string, task: () => Promise<void>, onError: (err: unknown) => void): Promise<void> {
    const queued = this.waiting.get(key);
    if (queued) return queued;
    const run = this.tail.then(async () => {
      // Leaving the waiting set first: an event that arrives while the task runs queues it again.
      this.waiting.delete(key);
      try {
        await task();
      } catch (err) {
        onError(err);
      }
    });
    this.waiting.set(key, run);
    this.tail = run;
    return run;
  }

  /** Resolves when everything queued so far has run. */
  idle(): Promise<void> {
    return this.tail;
  }
}
