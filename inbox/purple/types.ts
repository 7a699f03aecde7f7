// What a folder compiler returns (shared shape with the markdown compiler, which was not written yet
// when this folder compiler was): the canonical plan plus every inference, doubt and unread part.
import type { PlanInput, RunnerKind } from "../../protocol/plan.ts";

/** One thing the compiler inferred, found ambiguous, or could not understand, located in a source file. */
export interface IntakeItem {
  kind: "inferred" | "ambiguous" | "not-understood";
  /** the source file, relative to the folder */
  file: string;
  /** 1-based line in that file (1 when the whole file is meant) */
  line: number;
  message: string;
}

/** What the daemon supplies that the folder does not say. */
export interface CompileDefaults {
  runner: RunnerKind;
  /** runner command: the program every compiled agent runs */
  command?: string[];
  /** why this runner (for the intake report) */
  runnerNote?: string;
  model?: string;
  maxAgents?: number;
  allowedCommands?: string[];
}

/** A compiled folder: the plan (to be validated like any plan) and the intake report's items. */
export interface CompileResult {
  plan: PlanInput;
  items: IntakeItem[];
}
