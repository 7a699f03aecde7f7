// Validation results: validation/<wave>.json for a wave's gate, validation/contracts/<id>.json for a contract.
import { z } from "zod";

export const CheckResult = z.strictObject({
  kind: z.enum(["run", "exists", "contains", "exports", "contract", "judge", "manual"]),
  /** what was checked, for people: the command, the file, the pattern */
  target: z.string(),
  passed: z.boolean(),
  durationMs: z.number().min(0),
  /** the last lines of a command's output, or why the check failed */
  output: z.string(),
  exitCode: z.number().int().nullable(),
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
