// One count of every byte the control server holds for its clients: partial request lines and
// replies waiting for a slow reader. Each connection has its own caps (a line, a write queue), but
// 1,500 clients each parking a partial 1 MB line would still cost 1.5 GB; this is the cap for all
// of them together. Over it, the server drops the connection holding the most.

export class ByteBudget {
  private held = 0;
  private evicting = false;

  constructor(
    readonly limit: number,
    /** called while the total is over the limit; must free something (or nothing can be freed) */
    private readonly onOver: () => boolean,
  ) {}

  get total(): number {
    return this.held;
  }

  /** Count bytes taken (positive) or given back (negative); over the limit, evict until under it. */
  add(delta: number): void {
    this.held += delta;
    if (delta <= 0 || this.held <= this.limit || this.evicting) return;
    this.evicting = true;
    try {
      while (this.held > this.limit && this.onOver()) {
        // each round frees one connection's bytes
      }
    } finally {
      this.evicting = false;
    }
  }
}
