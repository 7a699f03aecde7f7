// The canonical plan (`apiVersion: purple/v1`, SPEC §4): the one shape every input is turned into.
import { z } from "zod";
import { DURATION_PATTERN } from "./duration.ts";

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const PLAN_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A plan name made from a folder's or a feature's name: lower-case, '-' for the rest, at most 63. */
export function toPlanName(text: string, fallback = "plan"): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+/, "").slice(0, 63).replace(/-+$/, "") || fallback;
}

const Id = z.string().regex(ID_PATTERN, "ids are letters, digits, '.', '_' and '-', starting with a letter or digit");
const Duration = z.string().regex(DURATION_PATTERN, "a duration such as 90s, 20m or 1h30m");

export const RunnerKind = z.enum(["anthropic", "claude-code", "command"]);
export type RunnerKind = z.infer<typeof RunnerKind>;

export const RunnerSpec = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("command"), command: z.array(z.string()).min(1) }),
  z.strictObject({ kind: z.literal("anthropic"), model: z.string().optional() }),
  z.strictObject({ kind: z.literal("claude-code"), model: z.string().optional(), args: z.array(z.string()).optional() }),
]);
export type RunnerSpec = z.infer<typeof RunnerSpec>;

/** One gate check: exactly one key naming its kind. */
export const GateCheck = z.union([
  z.strictObject({ run: z.union([z.string().min(1), z.strictObject({ command: z.string().min(1), timeout: Duration.optional() })]) }),
  z.strictObject({ exists: z.string().min(1) }),
  z.strictObject({ contains: z.strictObject({ file: z.string().min(1), pattern: z.string().min(1) }) }),
  z.strictObject({ exports: z.strictObject({ file: z.string().min(1), names: z.array(z.string().min(1)).min(1) }) }),
  z.strictObject({ contract: Id }),
  /** a reviewer model decides whether the statement holds (the plan's model unless one is named) */
  z.strictObject({ judge: z.union([z.string().min(1), z.strictObject({ text: z.string().min(1), model: z.string().min(1).optional() })]) }),
  z.strictObject({ manual: z.string().min(1) }),
]);
export type GateCheck = z.infer<typeof GateCheck>;

export const Ticket = z.strictObject({
  id: Id,
  title: z.string().min(1),
  description: z.string().optional(),
});
export type Ticket = z.infer<typeof Ticket>;

export const Contract = z.strictObject({
  id: Id,
  title: z.string().optional(),
  owner: Id.optional(),
  consumers: z.array(Id).default([]),
  spec: z.string().optional(),
  checks: z.array(GateCheck).default([]),
});
export type Contract = z.infer<typeof Contract>;

export const Agent = z.strictObject({
  id: Id,
  name: z.string().optional(),
  role: z.string().default(""),
  territory: z.array(z.string()).default([]),
  tickets: z.array(Ticket).default([]),
  dependsOn: z.array(Id).default([]),
  prompt: z.string().optional(),
  runner: RunnerSpec.optional(),
  model: z.string().optional(),
  timeout: Duration.optional(),
  retries: z.number().int().min(0).max(20).optional(),
  /** model spend at which this agent stops and the plan blocks (anthropic runner) */
  budgetUsd: z.number().positive().optional(),
});
export type Agent = z.infer<typeof Agent>;

export const Wave = z.strictObject({
  id: Id,
  title: z.string().optional(),
  /**
   * May be empty when the wave has a gate (an extension of SPEC §4): a gate-only wave, whose gate
   * runs once the waves before it passed (e.g. an orchestrator's integration check). A wave with
   * neither agents nor a gate is refused by the plan checks (inbox/check-plan.ts).
   */
  agents: z.array(Id).describe("the wave's agents; empty only in a gate-only wave, whose gate runs once the waves before it passed"),
  gate: z.array(GateCheck).default([]),
});
export type Wave = z.infer<typeof Wave>;

export const Defaults = z.strictObject({
  runner: RunnerKind.default("anthropic"),
  model: z.string().default("claude-sonnet-5-5"),
  timeout: Duration.default("20m"),
  retries: z.number().int().min(0).max(20).default(1),
  allowedCommands: z.array(z.string()).default([]),
});
export type Defaults = z.infer<typeof Defaults>;

/** Repair rounds before the circuit breaker trips: the agents responsible for a failed check run again with the failure in their prompt. */
export const Repair = z.strictObject({
  /** fix rounds per gate or contract before the plan blocks (0: block at once) */
  rounds: z.number().int().min(0).max(20).default(2),
});
export type Repair = z.infer<typeof Repair>;
/** Repair rounds of a plan that does not say (SPEC §4). */
export const REPAIR_ROUNDS = 2;

export const Plan = z.strictObject({
  apiVersion: z.literal("purple/v1"),
  name: z.string().regex(PLAN_NAME_PATTERN, "plan names are lower-case letters, digits and '-', at most 63 characters"),
  goal: z.string().default(""),
  maxAgents: z.number().int().min(1).max(1000).default(6),
  /** model spend across all agents at which the plan stops its agents and blocks */
  budgetUsd: z.number().positive().optional(),
  /**
   * start a wave's agents while the previous wave's gate runs, their changes held until it passes
   * and discarded (the agents run again) if it fails; absent: O/purple.yaml `speculate` (default false)
   */
  speculate: z.boolean().optional(),
  defaults: Defaults.default(Defaults.parse({})),
  contracts: z.array(Contract).default([]),
  agents: z.array(Agent).min(1),
  waves: z.array(Wave).min(1),
  /** what happens when a gate or contract check fails (absent: 2 rounds; see REPAIR_ROUNDS) */
  repair: Repair.optional(),
});
/** A plan after parsing: every default filled in. */
export type Plan = z.infer<typeof Plan>;
/** A plan as written: defaults may be missing. */
export type PlanInput = z.input<typeof Plan>;

/** The kinds of gate check. */
export const CheckKind = z.enum(["run", "exists", "contains", "exports", "contract", "judge", "manual"]);
export type CheckKind = z.infer<typeof CheckKind>;

/** The kind of a gate check (its one key). */
export function checkKind(check: GateCheck): CheckKind {
  return Object.keys(check)[0] as CheckKind;
}

/** What a check looks at, for people: the command, the file, the pattern (the `target` of its CheckResult). */
export function checkTarget(check: GateCheck): string {
  if ("run" in check) return typeof check.run === "string" ? check.run : check.run.command;
  if ("exists" in check) return check.exists;
  if ("contains" in check) return `${check.contains.file} ~ ${check.contains.pattern}`;
  if ("exports" in check) return `${check.exports.file} exports ${check.exports.names.join(", ")}`;
  if ("contract" in check) return check.contract;
  if ("judge" in check) return typeof check.judge === "string" ? check.judge : check.judge.text;
  return check.manual;
}
