// The cases every runner passes, whatever it runs on (a process tree, an in-process tool loop,
// a test double): done settles exactly once, cancel ends it cancelled, the timeout ends it as a
// timeout with its process tree gone, and an attempt that cannot start settles as failed.
// A runner plugs in with a harness (see command.test.ts, anthropic.test.ts, scripted.test.ts);
// the claude-code runner adds its own harness file the same way.
import { afterEach, describe, expect, test } from "bun:test";
import type { AgentRun, RunContext, RunResult, Runner } from "../../daemon/runners/runner.ts";
import { groupAlive } from "../../daemon/process/group.ts";

/** One attempt ready to start: the runner and the context to start it with. */
export interface Prepared {
  runner: Runner;
  ctx: RunContext;
  /** resolves once the attempt is really under way (its process or its request has started) */
  underway(run: AgentRun): Promise<void>;
}

export interface RunnerHarness {
  /** an attempt that finishes by itself */
  finishing(): Promise<Prepared>;
  /** an attempt that runs until it is stopped (a process that spawns children, a stalled request) */
  hanging(): Promise<Prepared>;
  /** an attempt that cannot start (a program that is not there, no API key) */
  unstartable(): Promise<Prepared>;
  /** called after each case */
  cleanup(): Promise<void> | void;
}

const OUTCOMES = ["finished", "failed", "timeout", "cancelled", "blocked"];

/** `done` resolves (never rejects) with a well-formed RunResult, and a cancel after it changes nothing. */
async function settledOnce(run: AgentRun): Promise<RunResult> {
  const first = await run.done;
  expect(OUTCOMES).toContain(first.outcome);
  expect(typeof first.message).toBe("string");
  expect(first.message.length).toBeGreaterThan(0);
  run.cancel("too late: it has ended"); // harmless once settled
  const again = await run.done;
  expect(again).toBe(first);
  expect(again).toEqual({ ...first });
  return first;
}

/** A process tree, when the runner has one, is gone. */
function expectTreeGone(run: AgentRun): void {
  if (run.pgid !== null) expect(groupAlive(run.pgid)).toBe(false);
}

/** `timeoutMs`: per case, for runners whose attempts take seconds (a real Claude Code process). */
export function runnerCases(name: string, harness: () => RunnerHarness, opts: { timeoutMs?: number } = {}): void {
  describe(`runner case suite: ${name}`, () => {
    let h: RunnerHarness;
    afterEach(async () => {
      await h?.cleanup();
    });

    test("done settles exactly once, finished", async () => {
      h = harness();
      const { runner, ctx } = await h.finishing();
      const run = runner.start(ctx);
      expect((await settledOnce(run)).outcome).toBe("finished");
      expectTreeGone(run);
    }, opts.timeoutMs);

    test("cancel → cancelled, and nothing of it keeps running", async () => {
      h = harness();
      const p = await h.hanging();
      const run = p.runner.start(p.ctx);
      await p.underway(run);
      run.cancel("a person said so");
      const r = await settledOnce(run);
      expect(r.outcome).toBe("cancelled");
      expect(r.message).toContain("a person said so");
      expectTreeGone(run);
    }, opts.timeoutMs);

    test("timeout → timeout, with the process tree gone", async () => {
      h = harness();
      const p = await h.hanging();
      const run = p.runner.start({ ...p.ctx, timeoutMs: 400 });
      const r = await settledOnce(run);
      expect(r.outcome).toBe("timeout");
      expectTreeGone(run);
    }, opts.timeoutMs);

    test("an attempt that cannot start settles as failed, saying why", async () => {
      h = harness();
      const { runner, ctx } = await h.unstartable();
      const run = runner.start(ctx);
      const r = await settledOnce(run);
      expect(r.outcome).toBe("failed");
      expectTreeGone(run);
    }, opts.timeoutMs);
  });
}
