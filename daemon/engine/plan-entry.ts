// One accepted plan inside the engine: its durable part (definition, run state, agent records,
// as the journal codec knows it) plus what only lives while purpled runs: the status writer,
// the attempts under way and the gate's abort switch.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { JournalRecord, PlanState, Step } from "../../protocol/index.ts";
import type { Reduced } from "../core/outcomes.ts";
import type { DurablePlan } from "../journal/codec.ts";
import type { AgentRun } from "../runners/runner.ts";
import type { Hold } from "./hold.ts";
import type { PlanView } from "../status/render.ts";
import { StatusWriter, type StatusWriterOptions } from "../status/writer.ts";

export interface PlanEntry extends DurablePlan {
  writer: StatusWriter;
  /** attempts under way, by agent id */
  handles: Map<string, AgentRun>;
  /** paths each agent was found writing outside its territory during its current attempt */
  violated: Map<string, string[]>;
  gateAbort: AbortController | null;
  /** speculative attempts whose changes wait for the gate (engine/speculation.ts), by agent id */
  holds: Map<string, Hold>;
  /** agents whose speculative work was discarded: their next attempt starts afresh (no session resumed) */
  discarded: Set<string>;
  waiters: ((state: PlanState) => void)[];
  /** called when an agent stops running or validating (for requests that wait on it) */
  settled: Map<string, (() => void)[]>;
}

/** The live entry of a plan (accepted now, or rebuilt from the journal). */
export function newPlanEntry(d: DurablePlan, opts: StatusWriterOptions): PlanEntry {
  mkdirSync(join(d.meta.dir, "agents"), { recursive: true });
  const entry = { ...d, handles: new Map(), violated: new Map(), gateAbort: null, holds: new Map(), discarded: new Set(), waiters: [], settled: new Map() } as Omit<PlanEntry, "writer"> as PlanEntry;
  entry.writer = new StatusWriter(d.meta.dir, () => viewOf(entry), opts);
  return entry;
}

/** What the renderers read of an entry. */
export function viewOf(entry: PlanEntry): PlanView {
  return { index: entry.index, run: entry.run, records: entry.records, hash: entry.meta.hash, createdAt: entry.meta.acceptedAt };
}

/** A fact about an agent that is not a step (its process group, a ticket, its files and usage). */
export type AgentFact = Extract<JournalRecord, { t: "pgid" | "ticket" | "agent-record" }>;

/** What the modules around the engine may ask of it: change a plan, keep a fact, the plans, the time. */
export interface PlanHost {
  readonly now: () => number;
  /** run a step through the core's reducer, journal it and carry it out (throws when the state refuses it) */
  step(entry: PlanEntry, step: Step): Reduced;
  /** journal a fact about an agent and apply it */
  keep(entry: PlanEntry, fact: AgentFact): void;
  readonly plans: ReadonlyMap<string, PlanEntry>;
}

/** The agent-record fact of an agent as it stands (callers replace the fields that changed). */
export function agentFact(entry: PlanEntry, id: string): Extract<AgentFact, { t: "agent-record" }> {
  const rec = entry.records.get(id)!;
  return { t: "agent-record", plan: entry.run.name, agent: id, changedFiles: [...rec.changedFiles], violations: [...rec.violations], usage: { ...rec.usage }, exitCode: rec.exitCode };
}
