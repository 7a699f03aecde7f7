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
  /** judge checks: the reviewer's verdict, when it gave a valid one */
  verdict: Verdict.optional(),
  /** judge checks: the reviewer's token usage and cost (counted toward the plan's budget) */
  usage: Usage.optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const ValidationResult = z.strictObject({
  plan: z.string(),
  /** the wave id for a gate, the contract id for a contract */
  subject: z.string(),
  kind: z.enum(["gate", "contract"]),
  passed: z.boolean(),
  startedAt: z.string().datetime({ offset: true }),
  completedAt: z.string().datetime({ offset: true }),
  checks: z.array(CheckResult),
});
export type ValidationResult = z.infer<typeof ValidationResult>;
