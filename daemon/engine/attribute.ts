// What a territory audit found, given to the agents it concerns: files changed to the agents
// that changed them; a write outside a territory to every agent running then (recorded as a
// violation, and the attempt stopped: it ends failed, naming the path).
import type { Logger } from "../../lib/logger.ts";
import type { AuditResult } from "./checkpoints.ts";
import { agentFact, type PlanEntry, type PlanHost } from "./plan-entry.ts";

/** Apply an audit's result to the plans of `host`. */
export function attributeAudit(host: PlanHost, result: AuditResult, logger: Logger): void {
  const at = new Date(host.now()).toISOString();
  for (const c of result.changes) {
    const found = byKey(host, c.agent);
    if (!found) continue;
    const { entry, id } = found;
    const rec = entry.records.get(id)!;
    host.keep(entry, { ...agentFact(entry, id), changedFiles: [...new Set([...rec.changedFiles, ...c.paths])] });
    entry.writer.event({ type: "agent.changes", agent: id, paths: c.paths });
  }
  for (const v of result.violations) {
    for (const key of v.agents) {
      const found = byKey(host, key);
      if (!found) continue;
      const { entry, id } = found;
      const rec = entry.records.get(id)!;
      host.keep(entry, { ...agentFact(entry, id), violations: [...rec.violations, { path: v.path, action: v.action, at }] });
      entry.violated.set(id, [...(entry.violated.get(id) ?? []), v.path]);
      entry.writer.event({ type: "agent.violation", agent: id, path: v.path, action: v.action });
      logger.warn({ plan: entry.run.name, agent: id, path: v.path, action: v.action }, "write outside the territory");
      entry.handles.get(id)?.cancel(`wrote outside its territory: ${v.path}`);
    }
  }
}

/** The agent behind an audit key `<plan>/<agent>` (agent ids repeat across plans, plan names have no '/'). */
function byKey(host: PlanHost, key: string): { entry: PlanEntry; id: string } | null {
  const slash = key.indexOf("/");
  const entry = host.plans.get(key.slice(0, slash));
  const id = key.slice(slash + 1);
  return entry && entry.index.agents.has(id) ? { entry, id } : null;
}
