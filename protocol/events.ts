// events.jsonl: every event of a plan, one JSON object per line, append-only (SPEC §3).
import { z } from "zod";
import { AgentState, PlanState, WaveState } from "./status.ts";
import { CheckResult } from "./validation.ts";

const base = { seq: z.number().int().min(1), ts: z.string().datetime({ offset: true }), plan: z.string() };

export const PlanEvent = z.discriminatedUnion("type", [
  z.strictObject({ ...base, type: z.literal("plan.accepted"), hash: z.string(), source: z.string() }),
  z.strictObject({ ...base, type: z.literal("plan.state"), from: PlanState.nullable(), to: PlanState, reason: z.string().nullable() }),
  z.strictObject({ ...base, type: z.literal("wave.state"), wave: z.string(), from: WaveState, to: WaveState }),
  z.strictObject({
    ...base,
    type: z.literal("agent.state"),
    agent: z.string(),
    wave: z.string(),
    from: AgentState,
    to: AgentState,
    attempt: z.number().int().min(0),
    /** agents of this plan running right after this transition */
    running: z.number().int().min(0),
    reason: z.string().nullable(),
    /** the attempt started speculatively, while the previous wave's gate ran */
    speculative: z.literal(true).optional(),
  }),
  /** a speculative attempt's changes: held until the gate passes, then applied (in wave order), or discarded (why) */
  z.strictObject({ ...base, type: z.literal("agent.speculation"), agent: z.string(), attempt: z.number().int().min(0), action: z.enum(["held", "applied", "discarded"]), paths: z.array(z.string()), reason: z.string().nullable() }),
  z.strictObject({ ...base, type: z.literal("agent.changes"), agent: z.string(), paths: z.array(z.string()) }),
  z.strictObject({ ...base, type: z.literal("agent.violation"), agent: z.string(), path: z.string(), action: z.enum(["reverted", "deleted", "refused"]) }),
  z.strictObject({ ...base, type: z.literal("gate.check"), wave: z.string(), result: CheckResult }),
  z.strictObject({ ...base, type: z.literal("contract.check"), contract: z.string(), agent: z.string(), result: CheckResult }),
  /** a repair round started (`gate:<wave>` or `contract:<id>`): these agents run again with the failed checks in their prompt */
  z.strictObject({ ...base, type: z.literal("repair.round"), subject: z.string(), round: z.number().int().min(1), of: z.number().int().min(0), agents: z.array(z.string()), checks: z.array(z.string()) }),
]);
export type PlanEvent = z.infer<typeof PlanEvent>;
export type PlanEventType = PlanEvent["type"];

/** An event before the status writer stamps it with its sequence number and time. */
export type PlanEventBody = PlanEvent extends infer E ? (E extends PlanEvent ? Omit<E, "seq" | "ts" | "plan"> : never) : never;
