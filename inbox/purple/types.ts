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

/** How sure the compiler is that the plan gives a path to an agent to write. */
export type Confidence = "high" | "medium" | "low";

/** One territory entry as compiled: the agent, the path, the line that gives it, and how surely. */
export interface TerritoryEntryInfo {
  agent: string;
  path: string;
  file: string;
  line: number;
  confidence: Confidence;
  why: string;
}

/**
 * Something a compile could not make: no plan file, no waves, no agents, an agent with no
 * territory. Carried to the intake report's top and to `purplectl status`, never silent.
 */
export interface CompileGap {
  kind: "no-plan-file" | "no-waves" | "no-agents" | "no-territory";
  message: string;
  file: string;
  /** lines of that file the compiler could not read as what it looked for (headings, first lines) */
  lines: { line: number; text: string }[];
}

/** A compiled folder: the plan (to be validated like any plan) and the intake report's items. */
export interface CompileResult {
  plan: PlanInput;
  items: IntakeItem[];
  /** every compiled territory entry with its source line and confidence (markdown plans) */
  territory?: TerritoryEntryInfo[];
  /** what the compile could not make (empty when it made waves, agents and territories) */
  gaps?: CompileGap[];
  /** the file read as the plan, and why it was taken (markdown plans) */
  planFile?: { file: string; why: string };
}
