// Reading purpled's output files in tests: JSON, JSONL, and schema validation with a readable failure.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import type { z } from "zod";
import type { PlanEvent, PlanInput } from "../../protocol/index.ts";
import { orchestrationDir } from "./daemon.ts";

export const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

export function readEvents(planDir: string): PlanEvent[] {
  return readFileSync(join(planDir, "events.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** Parse with a schema, failing with every problem listed. */
export function expectValid<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`${what} does not match its schema: ${JSON.stringify(r.error.issues, null, 1)}`);
  return r.data;
}

/** Drop a plan into O/inbox as YAML (written to a dotfile first, then renamed, as a careful writer does). */
export function dropPlan(root: string, plan: PlanInput, file = `${plan.name}.yaml`): string {
  const inbox = join(orchestrationDir(root), "inbox");
  const tmp = join(inbox, `.${file}.partial`);
  mkdirSync(inbox, { recursive: true });
  writeFileSync(tmp, YAML.stringify(plan));
  renameSync(tmp, join(inbox, file));
  return join(orchestrationDir(root), plan.name);
}

export const listDir = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

/** Maximum of agents running at once, replayed from agent.state events. */
export function maxConcurrent(events: PlanEvent[]): number {
  const running = new Set<string>();
  let max = 0;
  for (const e of events) {
    if (e.type !== "agent.state") continue;
    if (e.to === "running" || e.to === "validating") running.add(e.agent);
    else running.delete(e.agent);
    max = Math.max(max, running.size);
  }
  return max;
}
