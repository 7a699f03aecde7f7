// A speculative attempt's hold on its changes: pending until the gate before its wave ends, then
// released (the sandbox applies what it held) or discarded (the project never sees it). Kept apart
// from speculation.ts so the plan entry can hold these without importing the engine's logic.
import type { AttemptSandbox } from "../sandbox/executor.ts";

export type Decision = "released" | "discarded";

export class Hold {
  state: "pending" | Decision = "pending";
  /** its runner finished and its changes wait for the gate */
  waiting = false;
  readonly decided: Promise<Decision>;
  private resolve!: (d: Decision) => void;

  constructor(readonly agent: string, readonly pos: number, readonly sandbox: AttemptSandbox | null) {
    this.decided = new Promise((r) => (this.resolve = r));
  }

  decide(d: Decision, why: string): string[] {
    if (this.state !== "pending") return [];
    const paths = this.sandbox?.heldPaths() ?? [];
    if (d === "released") this.sandbox?.release();
    else this.sandbox?.discardHeld(why);
    this.state = d;
    this.resolve(d);
    return paths;
  }
}

