// Validation results: validation/<wave>.json for a wave's gate, validation/contracts/<id>.json for a contract.
import { z } from "zod";
import { CheckKind } from "./plan.ts";
import { Usage } from "./status.ts";

/** A reviewer model's answer to a judge check, given through its verdict tool. */
export const Verdict = z.strictObject({
  pass: z.boolean(),
  /** why, one point each */
  reasons: z.array(z.string().max(4000)).max(50),
  /** the project files the verdict rests on (or that fail the statement), root-relative */
  files: z.array(z.string().max(1000)).max(200),
});
export type Verdict = z.infer<typeof Verdict>;

export const CheckResult = z.strictObject({
  kind: CheckKind,
  /** what was checked, for people: the command, the file, the pattern */
  target: z.string(),
  passed: z.boolean(),
  durationMs: z.number().min(0),
  /** the last lines of a command's output, or why the check failed */
  output: z.string(),
  exitCode: z.number().int().nullable(),
  /** a person passed this check by decision (`purplectl approve PLAN --override WAVE#N`); it did not run */
  overridden: z.boolean().optional(),
  /** judge checks: the reviewer's verdict, when it gave a valid one */
  verdict: Verdict.optional(),
  /** judge checks: the reviewer's token usage and cost (counted toward the plan's budget) */
  usage: Usage.optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

/** One run of a gate's or contract's checks. */
const ValidationRun = {
  passed: z.boolean(),
  /** repair rounds spent on this gate or contract before this run (0: its first run; SPEC §4 `repair:`) */
  round: z.number().int().min(0).optional(),
  startedAt: z.string().datetime({ offset: true }),
  completedAt: z.string().datetime({ offset: true }),
  checks: z.array(CheckResult),
};

export const ValidationResult = z.strictObject({
  plan: z.string(),
  /** the wave id for a gate, the contract id for a contract */
  subject: z.string(),
  kind: z.enum(["gate", "contract"]),
  ...ValidationRun,
  /** the earlier runs of these checks in this run of the plan, oldest first (repair rounds, a person's resume) */
  earlier: z.array(z.strictObject(ValidationRun)).max(50).optional(),
});
export type ValidationResult = z.infer<typeof ValidationResult>;
