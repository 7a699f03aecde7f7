// Small pieces every runner uses: a run that ended before it began, durations for messages, the time limit,
// the agent's model, and the result of a run stopped by a cancel or its time limit.
import { sleep } from "./anthropic/wait.ts";
import type { AgentRun, RunContext, RunResult } from "./runner.ts";

/** The model an agent uses: its own, its runner's (the runner it is dispatched to by that runner's kind), or the plan's default. */
export function modelOf(ctx: RunContext): string {
  const runner = ctx.agent.runner;
  return ctx.agent.model ?? (runner && "model" in runner ? runner.model : undefined) ?? ctx.plan.defaults.model;
}

/** Why a run is being stopped; the first reason wins. */
export type StopReason = { kind: "timeout" } | { kind: "cancelled"; reason: string };

/** A result with no process exit to report. */
export function endedResult(outcome: RunResult["outcome"], message: string): RunResult {
  return { outcome, exitCode: null, signal: null, message };
}

/** The result of a run stopped for `stop` (`timeoutMs`: its time limit). */
export function stoppedResult(stop: StopReason, timeoutMs: number): RunResult {
  return stop.kind === "timeout"
    ? endedResult("timeout", `timed out after ${formatMs(timeoutMs)} and was stopped`)
    : endedResult("cancelled", `cancelled: ${stop.reason}`);
}

/** A run that ended before it began (bad configuration, no key): `done` is already settled. */
export function settledRun(result: RunResult): AgentRun {
  return { pgid: null, done: Promise.resolve(result), cancel() {} };
}

/** "450ms", "90s", "20m": a duration as people write it in a message. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : `${Math.round(s / 60)}m`;
}

/** Wait out a run's time limit (in steps: one timer cannot exceed 2^31-1 ms) and call `onTimeout`, unless `ended` aborts first. */
export async function timeLimit(ms: number, ended: AbortSignal, onTimeout: () => void): Promise<void> {
  if (!Number.isFinite(ms) || ms <= 0) return;
  const deadline = Date.now() + ms;
  while (!ended.aborted && Date.now() < deadline) await sleep(deadline - Date.now(), ended);
  if (!ended.aborted) onTimeout();
}
