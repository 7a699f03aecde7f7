// A runner for engine tests, in process: each attempt ends when the test says (finish/fail), or
// by itself after `autoFinishMs`; it honours cancel and the attempt's timeout like a real runner,
// and an agent whose id starts with "unstartable" fails to start. It passes the shared runner
// cases (test/runner-cases/scripted.test.ts), so engine tests built on it see real semantics.
import type { AgentRun, RunContext, RunResult, Runner } from "../../daemon/runners/runner.ts";

export class ScriptedRunner implements Runner {
  readonly started: string[] = [];
  private readonly ends = new Map<string, (r: RunResult) => void>();
  private startWaiters: { id: string; n: number; resolve: () => void }[] = [];

  constructor(private readonly opts: { autoFinishMs?: number } = {}) {}

  start(ctx: RunContext): AgentRun {
    const id = ctx.agent.id;
    if (id.startsWith("unstartable")) return { pgid: null, cancel() {}, done: Promise.resolve({ outcome: "failed", exitCode: null, signal: null, message: `agent ${id} could not start` }) };
    this.started.push(id);
    let settle!: (r: RunResult) => void;
    let settled = false;
    const done = new Promise<RunResult>((resolve) => (settle = resolve));
    const timers: ReturnType<typeof setTimeout>[] = [];
    const end = (r: RunResult) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      settle(r);
    };
    this.ends.set(id, end);
    const count = this.started.filter((s) => s === id).length;
    this.startWaiters = this.startWaiters.filter((w) => (w.id === id && count >= w.n ? (w.resolve(), false) : true));
    timers.push(setTimeout(() => end({ outcome: "timeout", exitCode: null, signal: null, message: `timed out after ${ctx.timeoutMs}ms and was stopped` }), ctx.timeoutMs));
    if (this.opts.autoFinishMs !== undefined) timers.push(setTimeout(() => end({ outcome: "finished", exitCode: 0, signal: null, message: "done" }), this.opts.autoFinishMs));
    return { pgid: null, done, cancel: (reason) => end({ outcome: "cancelled", exitCode: null, signal: null, message: `cancelled: ${reason}` }) };
  }

  /** Resolves once agent `id` has started its `n`th attempt here (an attempt can be ended from then on). */
  whenStarted(id: string, n = 1): Promise<void> {
    if (this.started.filter((s) => s === id).length >= n) return Promise.resolve();
    return new Promise((resolve) => this.startWaiters.push({ id, n, resolve }));
  }

  /** End agent `id`'s attempt under way: finished, or failed. */
  finish(id: string, ok = true): void {
    this.ends.get(id)?.(ok ? { outcome: "finished", exitCode: 0, signal: null, message: "done" } : { outcome: "failed", exitCode: 1, signal: null, message: "exit 1" });
  }
}
