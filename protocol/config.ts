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
  /** `off` runs agents and gates unsandboxed (only the territory audit afterwards); default on: no agent starts without a sandbox */
  sandbox: z.enum(["on", "off"]).default("on"),
  /** a file (mode 0600, owned by purpled's user) holding the Anthropic API key; relative to O/ */
  apiKeyFile: z.string().min(1).optional(),
});
export type DaemonConfig = z.infer<typeof DaemonConfig>;
