// The daemon's life as an explicit state machine, owned by daemon.ts:
//
//   starting → running → draining → stopping → stopped
//   starting → stopping          (start-up failed, or a signal came before it finished)
//   running  → stopping          (never: a stop always drains first; listed for a forced stop)
//   draining → stopping          (drained, or a second signal forces)
//
// A move the machine does not allow throws: it is a bug in the caller. Whoever asks "may I
// start work now?" asks the state instead of a scattering of flags.

export type DaemonState = "starting" | "running" | "draining" | "stopping" | "stopped";

const MOVES: Record<DaemonState, readonly DaemonState[]> = {
  starting: ["running", "draining", "stopping"],
  running: ["draining", "stopping"],
  draining: ["stopping"],
  stopping: ["stopped"],
  stopped: [],
};

export class IllegalLifecycleMove extends Error {}

export class Lifecycle {
  private current: DaemonState = "starting";

  constructor(private readonly onMove: (from: DaemonState, to: DaemonState) => void = () => {}) {}

  get state(): DaemonState {
    return this.current;
  }

  /** Move to `to`; throws on a move the machine above does not allow. */
  to(to: DaemonState): void {
    const from = this.current;
    if (!MOVES[from].includes(to)) throw new IllegalLifecycleMove(`purpled cannot go from ${from} to ${to}`);
    this.current = to;
    this.onMove(from, to);
  }

  /** Whether a move is allowed now (for requests that may arrive late, such as a second shutdown). */
  can(to: DaemonState): boolean {
    return MOVES[this.current].includes(to);
  }
}
