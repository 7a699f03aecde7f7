// The published schemas: name → zod schema; protocol/schema/<name>.schema.json is generated from this list.
import type { z } from "zod";
import { DaemonConfig } from "./config.ts";
import { DaemonInfo } from "./daemon-info.ts";
import { PlanEvent } from "./events.ts";
import { Plan } from "./plan.ts";
import { Progress } from "./progress.ts";
import { AgentStatus, PlanStatus } from "./status.ts";
import { ValidationResult } from "./validation.ts";

export const PUBLISHED_SCHEMAS: Record<string, z.ZodType> = {
  plan: Plan,
  status: PlanStatus,
  "agent-status": AgentStatus,
  event: PlanEvent,
  progress: Progress,
  validation: ValidationResult,
  daemon: DaemonInfo,
  config: DaemonConfig,
};
