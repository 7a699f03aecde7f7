// The daemon's journal (O/.purple/journal-<seq>.jsonl) and snapshots (O/.purple/snapshot-<seq>.json):
// every state change, recorded before it takes effect outside, so a restart rebuilds the state.
// A journal line is `<crc32 hex> <json>`: a torn or garbled line is told apart from a good one.
import { z } from "zod";
import { ProgressStatus } from "./progress.ts";
import { AgentState, PlanState, StatusBar, Usage, Violation, WaveState } from "./status.ts";
import { CancelCause, Step, StopCause } from "./steps.ts";

const Ref = { plan: z.string() };

export const JournalRecord = z.discriminatedUnion("t", [
  /** a plan was accepted: its definition (the canonical plan as parsed) and where it lives */
  z.strictObject({ t: z.literal("plan"), ...Ref, hash: z.string(), dir: z.string(), source: z.string(), approval: z.boolean(), body: z.unknown(), at: z.number() }),
  /** one step through the scheduler's reducer, at time `at`: replayed through the same reducer */
  z.strictObject({ t: z.literal("step"), ...Ref, step: Step, at: z.number() }),
  /** an agent's process group is alive (pgid) or gone (null): killed at the next start if still there */
  z.strictObject({ t: z.literal("pgid"), ...Ref, agent: z.string(), pgid: z.number().int().nullable() }),
  z.strictObject({ t: z.literal("ticket"), ...Ref, agent: z.string(), ticket: z.string(), status: ProgressStatus, startedAt: z.number().optional(), completedAt: z.number().optional() }),
  z.strictObject({ t: z.literal("agent-record"), ...Ref, agent: z.string(), changedFiles: z.array(z.string()), violations: z.array(Violation), usage: Usage, exitCode: z.number().int().nullable() }),
]);
export type JournalRecord = z.infer<typeof JournalRecord>;

const AgentSnap = z.strictObject({
  state: AgentState,
  attempt: z.number().int(),
  reason: z.string().nullable(),
  startedAt: z.number().nullable(),
  completedAt: z.number().nullable(),
  notBefore: z.number(),
  stop: StopCause.nullable(),
  cancelledBy: CancelCause.nullable(),
  spentUsd: z.number(),
  blockers: z.array(z.string()),
  notes: z.array(z.string()),
  /** notes a person gave with `retry --note`, added to its prompt (absent in older snapshots) */
  guidance: z.array(z.string()).default([]),
  /** the failed check its current repair round must fix (absent in older snapshots) */
  repair: z.string().nullable().default(null),
  /** attempts started by repair rounds (absent in older snapshots) */
  repairAttempts: z.number().int().min(0).default(0),
  /** its latest attempt started speculatively / it waits for the gate before speculating again (absent in older snapshots) */
  speculative: z.boolean().default(false),
  waitGate: z.boolean().default(false),
  /** a blocked contract owner waiting for a slot to have its contract checks run again (absent in older snapshots) */
  recheck: z.boolean().default(false),
  changedFiles: z.array(z.string()),
  violations: z.array(Violation),
  usage: Usage,
  exitCode: z.number().int().nullable(),
  tickets: z.record(z.string(), z.strictObject({ status: ProgressStatus, startedAt: z.number().optional(), completedAt: z.number().optional() })),
  pgid: z.number().int().nullable(),
});

export const PlanSnapshot = z.strictObject({
  plan: z.string(),
  hash: z.string(),
  dir: z.string(),
  source: z.string(),
  approval: z.boolean(),
  body: z.unknown(),
  acceptedAt: z.number(),
  state: PlanState,
  reason: z.string().nullable(),
  startedAt: z.number().nullable(),
  completedAt: z.number().nullable(),
  waveIndex: z.number().int(),
  waves: z.array(z.strictObject({ id: z.string(), state: WaveState })),
  agents: z.record(z.string(), AgentSnap),
  approvedWaves: z.array(z.string()),
  /** gate checks (`<wave>#<index>`) a person passed by decision (absent in older snapshots) */
  overrides: z.array(z.string()).default([]),
  /** repair rounds spent per gate (`gate:<wave>`) or contract (`contract:<id>`) (absent in older snapshots) */
  repairs: z.record(z.string(), z.strictObject({ rounds: z.number().int().min(0), fingerprint: z.string() })).default({}),
  /** the circuit breaker that blocked the plan (absent in older snapshots) */
  breaker: z.strictObject({ subject: z.string(), why: z.string() }).nullable().default(null),
  statusBar: StatusBar.nullable(),
});
export type PlanSnapshot = z.infer<typeof PlanSnapshot>;

export const Snapshot = z.strictObject({
  version: z.literal(2),
  /** journal records before this snapshot; replay continues with journal-<seq>.jsonl */
  seq: z.number().int().min(0),
  at: z.number(),
  plans: z.array(PlanSnapshot),
});
export type Snapshot = z.infer<typeof Snapshot>;
