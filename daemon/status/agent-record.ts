// What the engine knows of an agent beyond its run state: tickets, files it changed, violations, usage.
import { zeroUsage, type ProgressStatus, type Usage, type Violation } from "../../protocol/index.ts";

/** A ticket's progress as its agent reported it (purple_progress_* calls). */
export interface TicketProgress {
  status: ProgressStatus;
  startedAt?: number;
  completedAt?: number;
}

export interface AgentRecord {
  /** reported ticket progress by ticket id; unreported tickets follow their agent's state */
  tickets: Map<string, TicketProgress>;
  changedFiles: Set<string>;
  violations: Violation[];
  usage: Usage;
  exitCode: number | null;
}

export function newAgentRecord(): AgentRecord {
  return { tickets: new Map(), changedFiles: new Set(), violations: [], usage: zeroUsage(), exitCode: null };
}
