// Status broadcasts (SPEC §6): the plan's status.json and each agent's status/<agent>.json.
import { z } from "zod";
import { CheckKind } from "./plan.ts";

/**
 * Plan states. received → queued → running → succeeded | failed | blocked | cancelled;
 * awaiting-approval before queued for compiled plans; paused between running and running.
 */
export const PlanState = z.enum(["received", "awaiting-approval", "queued", "running", "paused", "succeeded", "failed", "cancelled", "blocked"]);
export type PlanState = z.infer<typeof PlanState>;

/**
 * Agent states. queued → running → validating → completed; running → failed (retried by going
 * back to queued while attempts remain); interrupted when the daemon stopped while it ran.
 */
export const AgentState = z.enum(["queued", "running", "validating", "completed", "failed", "blocked", "cancelled", "interrupted"]);
export type AgentState = z.infer<typeof AgentState>;

/** Wave states: pending → running → validating (gate) → passed | failed | blocked. */
export const WaveState = z.enum(["pending", "running", "validating", "passed", "failed", "blocked"]);
export type WaveState = z.infer<typeof WaveState>;

export const TERMINAL_PLAN_STATES: readonly PlanState[] = ["succeeded", "failed", "cancelled", "blocked"];
export const TERMINAL_AGENT_STATES: readonly AgentState[] = ["completed", "failed", "cancelled", "blocked"];

export const Usage = z.strictObject({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  cacheReadTokens: z.number().int().min(0),
  cacheWriteTokens: z.number().int().min(0),
  costUsd: z.number().min(0),
});
export type Usage = z.infer<typeof Usage>;
export const zeroUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 });

/** Add `u` into `into` (tokens and cost). */
export function addUsage(into: Usage, u: Usage): void {
  into.inputTokens += u.inputTokens;
  into.outputTokens += u.outputTokens;
  into.cacheReadTokens += u.cacheReadTokens;
  into.cacheWriteTokens += u.cacheWriteTokens;
  into.costUsd += u.costUsd;
}

export const TicketState = z.enum(["pending", "in_progress", "completed"]);
export const Violation = z.strictObject({
  path: z.string(),
  action: z.enum(["reverted", "deleted", "refused"]),
  at: z.string(),
});
export type Violation = z.infer<typeof Violation>;

const Timestamp = z.string().datetime({ offset: true });

export const AgentStatus = z.strictObject({
  agent: z.string(),
  plan: z.string(),
  wave: z.string(),
  state: AgentState,
  attempt: z.number().int().min(0),
  startedAt: Timestamp.nullable(),
  completedAt: Timestamp.nullable(),
  tickets: z.array(z.strictObject({ id: z.string(), title: z.string(), state: TicketState })),
  territory: z.array(z.string()),
  changedFiles: z.array(z.string()),
  violations: z.array(Violation),
  blockers: z.array(z.string()),
  notes: z.array(z.string()),
  usage: Usage,
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  /** a queued agent waiting out its retry backoff: when it may start again */
  retryAt: Timestamp.nullable().optional(),
  /** its latest attempt started speculatively (while the previous wave's gate ran; its changes held until that gate passed) */
  speculative: z.boolean().optional(),
  updatedAt: Timestamp,
});
export type AgentStatus = z.infer<typeof AgentStatus>;

/** The fields of the Purple CLI's status bar that its purple_update_status tool sets. */
export const StatusBarFields = {
  phase: z.string().optional(),
  agent: z.string().optional(),
  mode: z.string().optional(),
  currentTicket: z.union([z.string(), z.number()]).optional(),
  totalTickets: z.number().int().min(0).optional(),
  tool: z.string().optional(),
  activeFile: z.string().optional(),
};

/** The Purple CLI's status bar, as its purple_update_status / purple_set_phase tools set it. */
export const StatusBar = z.strictObject({
  ...StatusBarFields,
  progress: z.number().min(0).max(100).optional(),
  message: z.string().optional(),
  updatedAt: z.string(),
});
export type StatusBar = z.infer<typeof StatusBar>;

/** Why a blocked or failed plan stopped, and what a person does about it (SPEC §9 `status PLAN`). */
export const PlanFailure = z.strictObject({
  /** what stopped the plan: an agent, or a wave's gate */
  kind: z.enum(["agent", "gate"]),
  /** the agent id, or the wave id of the gate */
  subject: z.string(),
  /** why, in one line */
  reason: z.string(),
  /** the last lines of the failing output (the agent's output, the failed checks' output) */
  outputTail: z.string(),
  /** the command that shows the whole log */
  logCommand: z.string(),
  /** what to do next */
  nextStep: z.string(),
  /** the failed checks (`<wave>#<index>`, `<contract>#<index>`; ids for `approve --override` where a gate's) */
  failedChecks: z.array(z.string()).optional(),
  /** a tripped circuit breaker (SPEC §4 `repair:`): why it tripped */
  breaker: z.string().optional(),
  /** every way on, one per line (the first is nextStep) */
  nextSteps: z.array(z.string()).optional(),
});
export type PlanFailure = z.infer<typeof PlanFailure>;

export const PlanStatus = z.strictObject({
  plan: z.string(),
  goal: z.string(),
  state: PlanState,
  reason: z.string().nullable(),
  hash: z.string(),
  currentWave: z.string().nullable(),
  waves: z.array(z.strictObject({
    id: z.string(),
    title: z.string().nullable(),
    state: WaveState,
    agents: z.array(z.string()),
    /** the wave's gate checks as the plan states them (results: validation/<wave>.json) */
    gate: z.array(z.strictObject({ kind: CheckKind, target: z.string() })).optional(),
  })),
  counts: z.record(AgentState, z.number().int().min(0)),
  usage: Usage,
  statusBar: StatusBar.nullable(),
  /** set while the plan is blocked or failed */
  failure: PlanFailure.nullable().default(null),
  startedAt: Timestamp.nullable(),
  completedAt: Timestamp.nullable(),
  updatedAt: Timestamp,
});
export type PlanStatus = z.infer<typeof PlanStatus>;
