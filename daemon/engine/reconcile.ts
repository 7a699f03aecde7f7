// After a crash the journal is the truth, but events.jsonl may lag it by the last transition or
// two (the process died between the journal append and the event write). On restore, each state
// the journal committed but the events never showed gets its event, so the event stream again
// tells every transition once.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentState, PlanState, WaveState } from "../../protocol/index.ts";
import type { PlanEntry } from "./plan-entry.ts";

const CATCH_UP = "committed in the journal before a crash; its event was written on restart";

/** Emit the events a crash kept from events.jsonl, comparing it with the restored state. */
export function catchUpEvents(entry: PlanEntry): void {
  const path = join(entry.meta.dir, "events.jsonl");
  let plan: PlanState | null = null;
  const waves = new Map<string, WaveState>();
  const agents = new Map<string, { state: AgentState; attempt: number }>();
  if (existsSync(path)) {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (!line) continue;
      let e: any;
      try {
        e = JSON.parse(line);
      } catch {
        continue; // a line cut by the crash
      }
      if (e.type === "plan.state") plan = e.to;
      else if (e.type === "wave.state") waves.set(e.wave, e.to);
      else if (e.type === "agent.state") agents.set(e.agent, { state: e.to, attempt: e.attempt });
    }
  }
  const { run, writer, index } = entry;
  if (plan !== run.state) writer.event({ type: "plan.state", from: plan, to: run.state, reason: run.reason ?? CATCH_UP });
  for (const w of run.waves) {
    const seen = waves.get(w.id) ?? "pending";
    if (seen !== w.state) writer.event({ type: "wave.state", wave: w.id, from: seen, to: w.state });
  }
  for (const [id, a] of run.agents) {
    const seen = agents.get(id) ?? { state: "queued" as const, attempt: 0 };
    if (seen.state !== a.state || seen.attempt !== a.attempt)
      writer.event({ type: "agent.state", agent: id, wave: index.agents.get(id)!.wave, from: seen.state, to: a.state, attempt: a.attempt, running: run.running.size, reason: CATCH_UP });
  }
}
