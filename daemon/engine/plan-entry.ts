// One accepted plan inside the engine: its index, run state, agent records, status writer and handles.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Plan, StatusBar } from "../../protocol/index.ts";
import { indexPlan, type PlanIndex } from "../core/plan-index.ts";
import { initialRunState, type PlanRunState } from "../core/state.ts";
import type { AgentRun } from "../runners/runner.ts";
import { newAgentRecord, type AgentRecord } from "../status/agent-record.ts";
import type { PlanView } from "../status/render.ts";
import { StatusWriter, type StatusWriterOptions } from "../status/writer.ts";

export interface PlanEntry {
  index: PlanIndex;
  /** where the plan was read from, and whether it waits for approval (compiled from prose) */
  source: string;
  approval: boolean;
  /** the Purple status bar, as agents set it through purple_update_status / purple_set_phase */
  statusBar: StatusBar | null;
  /** waves whose manual gate checks a person approved */
  approvedWaves: Set<string>;
  /** agents a person (or the plan's cancellation) asked to stop */
  cancelRequested: Set<string>;
  /** agents stopped because the plan's budget ran out (they end blocked, not cancelled) */
  budgetStopped: Set<string>;
  /** agents cancelled because their plan failed before they ran (retrying the plan requeues them) */
  autoCancelled: Set<string>;
  /** bumped on every change, for callers caching what they render from the entry */
  version: number;
  run: PlanRunState;
  records: Map<string, AgentRecord>;
  hash: string;
  dir: string;
  createdAt: number;
  writer: StatusWriter;
  /** attempts under way, by agent id */
  handles: Map<string, AgentRun>;
  /** agents found writing outside their territory during the current attempt */
  violated: Map<string, string[]>;
  gateAbort: AbortController | null;
  wakeTimer: ReturnType<typeof setTimeout> | null;
  wakeAt: number;
  waiters: ((state: PlanRunState["state"]) => void)[];
}

/** Build the entry of a freshly accepted plan (its folder is O/<name>). */
export function newPlanEntry(plan: Plan, dir: string, hash: string, now: number, opts: StatusWriterOptions): PlanEntry {
  const index = indexPlan(plan);
  const records = new Map<string, AgentRecord>();
  for (const id of index.agents.keys()) records.set(id, newAgentRecord());
  mkdirSync(join(dir, "agents"), { recursive: true });
  const entry = {
    index,
    source: "",
    approval: false,
    statusBar: null,
    approvedWaves: new Set(),
    cancelRequested: new Set(),
    autoCancelled: new Set(),
    budgetStopped: new Set(),
    version: 0,
    run: initialRunState(index),
    records,
    hash,
    dir,
    createdAt: now,
    handles: new Map(),
    violated: new Map(),
    gateAbort: null,
    wakeTimer: null,
    wakeAt: Infinity,
    waiters: [],
  } as Omit<PlanEntry, "writer"> as PlanEntry;
  entry.writer = new StatusWriter(dir, () => viewOf(entry), opts);
  return entry;
}

/** What the renderers read of an entry. */
export function viewOf(entry: PlanEntry): PlanView {
  return { statusBar: entry.statusBar, index: entry.index, run: entry.run, records: entry.records, hash: entry.hash, createdAt: entry.createdAt };
}
