// The engine's side of the executor (daemon/sandbox/): opening an attempt's sandbox before its
// runner starts, and recording its changesets once it has ended — applied paths become the agent's
// changedFiles, refused ones its violations, and any refusal fails the attempt, naming the paths.
// Kept apart from attempt.ts so the attempt's flow reads the same with or without a sandbox.
import { asPurpleError } from "../../protocol/index.ts";
import type { AttemptSandbox, Executor } from "../sandbox/executor.ts";
import { agentFact, type PlanEntry, type PlanHost } from "./plan-entry.ts";

/** The attempt's sandbox (null when there is no executor or `sandbox: off`), or why the agent may not start. */
export async function openAttemptSandbox(env: { readonly opts: { executor?: Executor } }, entry: PlanEntry, id: string, agentDir: string, hold = false): Promise<{ ok: true; sandbox: AttemptSandbox | null } | { ok: false; reason: string }> {
  const executor = env.opts.executor;
  if (!executor) return { ok: true, sandbox: null };
  const info = entry.index.agents.get(id)!;
  try {
    const sandbox = await executor.begin({ plan: entry.run.name, agent: id, attempt: entry.run.agents.get(id)!.attempt, territory: info.agent.territory, agentDir, hold });
    return { ok: true, sandbox };
  } catch (err) {
    return { ok: false, reason: asPurpleError(err).message };
  }
}

/** Record what the attempt's processes changed; the reason the attempt fails because of it, or null. */
export function recordChangesets(host: PlanHost, entry: PlanEntry, id: string, sandbox: AttemptSandbox): string | null {
  const rec = entry.records.get(id)!;
  const at = new Date(host.now()).toISOString();
  const applied = sandbox.appliedPaths();
  const refused = sandbox.settled.flatMap((s) => s.refused);
  if (applied.length === 0 && refused.length === 0) return sandbox.failure();
  host.keep(entry, {
    ...agentFact(entry, id),
    changedFiles: [...new Set([...rec.changedFiles, ...applied])],
    violations: [...rec.violations, ...refused.map((r) => ({ path: r.path, action: "refused" as const, at }))],
  });
  if (applied.length > 0) entry.writer.event({ type: "agent.changes", agent: id, paths: applied });
  for (const r of refused) entry.writer.event({ type: "agent.violation", agent: id, path: r.path, action: "refused" });
  return sandbox.failure();
}
