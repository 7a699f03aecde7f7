// The configuration for compiled plans: --config FILE, else O/purple.yaml, else the defaults
// (read by purpled at start and by purplectl validate --compile).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { yamlModule } from "../lib/yaml.ts";
import { DaemonConfig, PurpleError, type PlanInput } from "../protocol/index.ts";
import type { CompileDefaults, CompileResult } from "./purple/types.ts";

/** The configuration, or INVALID_PARAMS naming the file and every problem in it. */
export function loadConfig(orchestrationDir: string, explicit?: string): DaemonConfig {
  const path = explicit ?? join(orchestrationDir, "purple.yaml");
  if (!existsSync(path)) {
    if (explicit) throw new PurpleError("INVALID_PARAMS", `--config ${explicit} does not exist`);
    return DaemonConfig.parse({});
  }
  let raw: unknown;
  try {
    raw = yamlModule().parse(readFileSync(path, "utf8"), { maxAliasCount: 100 });
  } catch (err) {
    throw new PurpleError("INVALID_PARAMS", `${path} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = DaemonConfig.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ");
    throw new PurpleError("INVALID_PARAMS", `${path}: ${problems}`);
  }
  return parsed.data;
}

/**
 * What compiled plans get: the configured defaults with the runner settled. With none chosen in
 * purple.yaml it is claude-code when Claude Code is installed here (`claudeFound`), else anthropic;
 * runnerNote says which and why, for the intake report.
 */
export function compileDefaultsOf(config: DaemonConfig, claudeFound: boolean): CompileDefaults {
  const { runner, ...rest } = config.defaults;
  if (runner) return { ...rest, runner, runnerNote: `runner ${runner}: chosen in purple.yaml (defaults.runner)` };
  return claudeFound
    ? { ...rest, runner: "claude-code", runnerNote: "runner claude-code: purple.yaml chooses none (defaults.runner) and Claude Code (claude) is installed here" }
    : { ...rest, runner: "anthropic", runnerNote: "runner anthropic: purple.yaml chooses none (defaults.runner) and Claude Code (claude) was not found on PATH nor as claudePath" };
}

/** The runner defaults applied to a compiled plan: the note in the intake report, the command template on every agent. */
export function applyRunnerDefaults(result: CompileResult, defaults: CompileDefaults): void {
  if (defaults.runnerNote) result.items.push({ kind: "inferred", file: "purple.yaml", line: 1, message: defaults.runnerNote });
  const command = defaults.command;
  if (defaults.runner !== "command" || !command) return;
  const plan: PlanInput = result.plan;
  for (const agent of plan.agents ?? []) agent.runner ??= { kind: "command", command: [...command] };
}
