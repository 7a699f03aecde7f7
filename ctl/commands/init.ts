// `purplectl init`: set a project up for purple. O/purple.yaml with defaults detected on this
// machine (the runner that can run here, the model, how many agents at once) and O/.gitignore
// rules that keep purple's run files out of the project's history; says what it wrote.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { Defaults, type RunnerKind } from "../../protocol/plan.ts";
import { thisMachine } from "../../inbox/can-run.ts";
import type { Ctx } from "../context.ts";
import { EXIT } from "../errors.ts";
import { orchestrationOf } from "../find-root.ts";

/** purple's run files inside O/ (SPEC §3): the daemon's state, the inbox, and what each run writes. */
export const IGNORE_RULES = [
  ".purple/",
  "inbox/",
  "*/status.json",
  "*/status/",
  "*/status-log.md",
  "*/events.jsonl",
  "*/validation/",
  "*/agents/",
  "*/runs/",
  "*/plan.error.json",
];

export interface Detected {
  runner: RunnerKind;
  model: string;
  maxAgents: number;
  /** why each value, for the file's comments and the command's output */
  why: string[];
}

/** The defaults this machine suggests: Claude Code when it is here (as purpled itself prefers), else purple's own loop. */
export function detectDefaults(env: Record<string, string | undefined> = process.env, cpus = availableParallelism(), root: string | null = null): Detected {
  const machine = thisMachine(root, env);
  const model = Defaults.parse({}).model;
  if (machine.claude) {
    const maxAgents = Math.min(6, Math.max(1, cpus));
    return { runner: "claude-code", model, maxAgents, why: [`runner claude-code: Claude Code is at ${machine.claude}`, `maxAgents ${maxAgents}: a Claude Code session keeps a core busy (${cpus} core(s) here)`] };
  }
  const maxAgents = Math.min(6, Math.max(2, cpus * 2));
  const key = machine.hasApiKey ? "ANTHROPIC_API_KEY is set" : "ANTHROPIC_API_KEY is not set here: purpled needs it in its environment before plans run";
  return { runner: "anthropic", model, maxAgents, why: [`runner anthropic: Claude Code (\`claude\`) was not found; purple's own tool-use loop (${key})`, `maxAgents ${maxAgents}: its agents wait on the API more than on the CPU (${cpus} core(s) here)`] };
}

/** Write what is missing; leave what exists (a purple.yaml is a person's; .gitignore gains missing rules). */
export async function init(ctx: Ctx): Promise<number> {
  const root = resolve(ctx.flags.root ?? process.cwd());
  const o = orchestrationOf(root);
  mkdirSync(join(o, "inbox"), { recursive: true });
  const said: string[] = [];
  const detected = detectDefaults(process.env, availableParallelism(), root);

  const config = join(o, "purple.yaml");
  if (existsSync(config)) said.push(`${config} exists: left as it is (these would be the detected defaults: runner ${detected.runner}, model ${detected.model}, maxAgents ${detected.maxAgents})`);
  else {
    writeFileAtomic(config, configText(detected));
    said.push(`wrote ${config}:`, ...detected.why.map((w) => `  ${w}`), `  model ${detected.model}: purple's default model`);
  }

  const ignore = join(o, ".gitignore");
  const had = existsSync(ignore) ? readFileSync(ignore, "utf8") : "";
  const present = new Set(had.split("\n").map((l) => l.trim()));
  const missing = IGNORE_RULES.filter((r) => !present.has(r));
  if (missing.length === 0) said.push(`${ignore} already ignores purple's run files`);
  else {
    const head = had ? (had.endsWith("\n") ? had : `${had}\n`) : "# purple's run files: written by purpled while plans run (`purplectl init`)\n";
    writeFileAtomic(ignore, head + missing.join("\n") + "\n");
    said.push(`${had ? "added to" : "wrote"} ${ignore}: ${missing.join(" ")}`);
  }
  said.push(`next: start purpled (\`purpled --root ${root}\`, or \`purplectl service install --user\`), then \`purplectl submit PLAN\``);
  ctx.print(said.join("\n"), { root, config, ignore, detected, ignoreRules: IGNORE_RULES });
  return EXIT.ok;
}

function configText(d: Detected): string {
  return [
    "# purple's settings for this project, written by `purplectl init`. Plans compiled from markdown",
    "# or Purple folders take these defaults where they name none.",
    ...d.why.map((w) => `#   ${w}`),
    "defaults:",
    `  runner: ${d.runner}`,
    `  model: ${d.model}`,
    `  maxAgents: ${d.maxAgents}`,
    "  allowedCommands: []",
    "",
  ].join("\n");
}
