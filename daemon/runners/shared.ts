// Small pieces every runner uses: a run that ended before it began, and durations for messages.
import type { AgentRun, RunResult } from "./runner.ts";

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
