// O/purple.yaml (or purpled --config FILE): what compiled plans get where markdown and Purple
// folders name nothing — the runner, model, agents at once and the commands agents may run.
import { z } from "zod";
import { RunnerKind } from "./plan.ts";

export const CompileDefaultsSchema = z.strictObject({
  runner: RunnerKind.default("anthropic"),
  model: z.string().optional(),
  maxAgents: z.number().int().min(1).max(1000).optional(),
  allowedCommands: z.array(z.string()).default([]),
});

export const DaemonConfig = z.strictObject({
  defaults: CompileDefaultsSchema.default({ runner: "anthropic", allowedCommands: [] }),
  /** markdown plans: `model: true` has the plan's model compile them too, grounded in their text (issue 15) */
  compile: z.strictObject({ model: z.boolean().default(false) }).default({ model: false }),
});
export type DaemonConfig = z.infer<typeof DaemonConfig>;
