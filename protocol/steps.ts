// What changes a plan's run state: the scheduler's own actions and every event fed to the
// reducer (daemon/core/reduce.ts). The journal records these steps, not their effects, and a
// restart replays them through the same reducer, so live state and rebuilt state cannot drift.
import { z } from "zod";
import { CheckKind } from "./plan.ts";
import { StatusBar } from "./status.ts";

const Agent = { agent: z.string() };

/** How an attempt ended, as the engine saw it (runner outcome, or it never got to start). */
export const AttemptOutcome = z.enum(["finished", "failed", "timeout", "cancelled", "blocked", "not-started"]);
export type AttemptOutcome = z.infer<typeof AttemptOutcome>;

/**
 * A failed gate or contract check as the core weighs it for a repair round: which check, what it
 * said, and what files it names (the core picks the agents responsible from these).
 */
export const CheckFailure = z.strictObject({
  /** `<wave>#<index>` for a gate check, `<contract>#<index>` for a contract check (indexes from 0) */
  check: z.string(),
  kind: CheckKind,
  target: z.string(),
  /** the tail of its output, or why it failed (paths under the project root made root-relative) */
  output: z.string(),
  /** a judge's reasons */
  reasons: z.array(z.string()),
  /** files it names: its target file, a judge verdict's files */
  files: z.array(z.string()),
});
export type CheckFailure = z.infer<typeof CheckFailure>;

export const Step = z.discriminatedUnion("type", [
  // decide's actions
  z.strictObject({ type: z.literal("start-plan") }),
  z.strictObject({ type: z.literal("start-wave"), wave: z.string() }),
  /** speculative: started while the previous wave's gate runs (its changes held until the gate passes) */
  z.strictObject({ type: z.literal("start-agent"), ...Agent, speculative: z.literal(true).optional() }),
  z.strictObject({ type: z.literal("run-gate"), wave: z.string() }),
  z.strictObject({ type: z.literal("pass-wave"), wave: z.string() }),
  /** a contract owner a person's override left awaiting a recheck gets its slot: its contract checks run again */
  z.strictObject({ type: z.literal("recheck-contracts"), ...Agent }),
  z.strictObject({ type: z.literal("finish-plan"), state: z.enum(["succeeded", "failed", "blocked"]), reason: z.string() }),
  // outcomes of IO
  z.strictObject({
    type: z.literal("attempt-ended"),
    ...Agent,
    outcome: AttemptOutcome,
    message: z.string(),
    /** paths it wrote outside its territory (reverted) */
    trespass: z.array(z.string()),
    /** it owns contract checks: a finished attempt goes on to validating */
    validate: z.boolean(),
    /** a failure no retry can fix (the runner is missing) */
    final: z.boolean(),
  }),
  /** failures: the failed checks, by contract (absent in journals before repair rounds: no repair) */
  z.strictObject({ type: z.literal("contracts-checked"), ...Agent, failed: z.array(z.string()), failures: z.record(z.string(), z.array(CheckFailure)).optional() }),
  /** failures: the failed checks (absent in journals before repair rounds: the gate blocks at once) */
  z.strictObject({ type: z.literal("gate-ended"), passed: z.boolean(), summary: z.string(), failures: z.array(CheckFailure).optional() }),
  z.strictObject({ type: z.literal("spend"), ...Agent, costUsd: z.number() }),
  // what agents report
  z.strictObject({ type: z.literal("note"), ...Agent, message: z.string() }),
  z.strictObject({ type: z.literal("status-bar"), bar: StatusBar }),
  // a person's requests
  z.strictObject({ type: z.literal("accept"), approval: z.boolean() }),
  /** override: gate check ids (`<wave>#<index>`) a person passes by decision */
  z.strictObject({ type: z.literal("approve"), override: z.array(z.string()).optional() }),
  z.strictObject({ type: z.literal("pause") }),
  z.strictObject({ type: z.literal("resume") }),
  z.strictObject({ type: z.literal("cancel-plan") }),
  z.strictObject({ type: z.literal("cancel-agent"), ...Agent }),
  /** note: guidance a person adds to the agent's prompt for its next attempts */
  z.strictObject({ type: z.literal("retry-agent"), ...Agent, note: z.string().max(4000).optional() }),
  // the daemon's own life
  z.strictObject({ type: z.literal("drain") }),
  z.strictObject({ type: z.literal("restart") }),
]);
export type Step = z.infer<typeof Step>;
export type StepOf<T extends Step["type"]> = Extract<Step, { type: T }>;

/** Why a running agent was asked to stop; decides how its attempt ends (reduce.ts, outcome precedence). `discard`: a speculative attempt whose gate failed (core/speculate.ts). */
export const StopCause = z.enum(["person", "plan-cancelled", "budget", "drain", "discard"]);
export type StopCause = z.infer<typeof StopCause>;

/** Why an agent is cancelled: a retry of the plan requeues only those the plan's failure cancelled. */
export const CancelCause = z.enum(["person", "plan-cancelled", "plan-failed"]);
export type CancelCause = z.infer<typeof CancelCause>;
