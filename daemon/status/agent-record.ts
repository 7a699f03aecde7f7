// What the engine knows of an agent beyond its state: files it changed, violations, usage, notes.
import { zeroUsage, type Usage, type Violation } from "../../protocol/index.ts";

export interface AgentRecord {
  changedFiles: Set<string>;
  violations: Violation[];
  blockers: string[];
  notes: string[];
  usage: Usage;
  exitCode: number | null;
}

export function newAgentRecord(): AgentRecord {
  return { changedFiles: new Set(), violations: [], blockers: [], notes: [], usage: zeroUsage(), exitCode: null };
}
