// O/purple.yaml (or purpled --config FILE): what compiled plans get where markdown and Purple
// folders name nothing — the runner, model, agents at once and the commands agents may run.
import { z } from "zod";
import { HttpListen } from "./http.ts";
import { DURATION_PATTERN } from "./duration.ts";
import { RunnerKind } from "./plan.ts";

export const CompileDefaultsSchema = z.strictObject({
  /** unset: claude-code when Claude Code is installed here, else anthropic (the intake report says which) */
  runner: RunnerKind.optional(),
  /** for runner command: the program every compiled agent runs (the prompt is on stdin and in $PURPLE_PROMPT_FILE; an argument "{promptFile}" is replaced by that path) */
  command: z.array(z.string().min(1)).min(1).optional(),
  model: z.string().optional(),
  maxAgents: z.number().int().min(1).max(1000).optional(),
  allowedCommands: z.array(z.string()).default([]),
});

export const DaemonConfig = z.strictObject({
  defaults: CompileDefaultsSchema.default({ allowedCommands: [] }),
  /** the Claude Code CLI for claude-code agents (absolute, or relative to the project root); default `claude` on PATH */
  claudePath: z.string().min(1).optional(),
  /** claude-code agents: end an attempt as stalled after this long without an event (default "5m") */
  claudeStallTimeout: z.string().regex(DURATION_PATTERN, "a duration such as 90s or 5m").optional(),
  /** markdown plans: `model: true` has the plan's model compile them too, grounded in their text (issue 15) */
  compile: z.strictObject({ model: z.boolean().default(false) }).default({ model: false }),
  /** serve the web view on this loopback HOST:PORT (purpled --http overrides); off when absent */
  http: HttpListen.optional(),
  /** plans that do not say `speculate:` start their next wave's agents while a gate runs (changes held until it passes) */
  speculate: z.boolean().default(false),
  /** `off` runs agents and gates unsandboxed (only the territory audit afterwards); default on: no agent starts without a sandbox */
  sandbox: z.enum(["on", "off"]).default("on"),
  /** a file (mode 0600, owned by purpled's user) holding the Anthropic API key; relative to O/ */
  apiKeyFile: z.string().min(1).optional(),
});
export type DaemonConfig = z.infer<typeof DaemonConfig>;
