// Can this machine run the plan? What a plan's text cannot tell: whether each agent's runner is
// here (Claude Code on PATH or at claudePath, an API key for the anthropic runner, a command's
// program), and whether the contract spec files it names exist. Errors mean it cannot run here;
// warnings are what a person probably did not mean (an agent with no territory changes nothing).
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { findClaude } from "../lib/find-claude.ts";
import type { Problem } from "../protocol/errors.ts";
import type { Plan, RunnerKind } from "../protocol/plan.ts";

export interface RunnableCheck {
  errors: Problem[];
  warnings: Problem[];
}

export interface Machine {
  /** the program's path when it is on PATH, else null (Bun.which) */
  which: (cmd: string) => string | null;
  /** an API key reaches the anthropic runner (ANTHROPIC_API_KEY, or purpled's own when it checks); null: not known here */
  hasApiKey: boolean | null;
  /** the Claude Code CLI (lib/find-claude.ts: claudePath in O/purple.yaml, else PATH), null when there is none */
  claude: string | null;
  /** O/purple.yaml's claudePath, when set (for the message) */
  claudePath?: string;
  /** the runner kinds the daemon serves, when purpled itself checks */
  serves?: readonly RunnerKind[];
  /** where a command's relative program path is looked up: the project root */
  root: string | null;
}

/** The machine as this process sees it, with O/purple.yaml's claudePath. */
export function thisMachine(root: string | null, env: Record<string, string | undefined> = process.env, config: { claudePath?: string } = {}): Machine {
  return {
    which: (cmd) => Bun.which(cmd, { PATH: env.PATH ?? "" }),
    hasApiKey: !!(env.ANTHROPIC_API_KEY || env.ANTHROPIC_AUTH_TOKEN),
    claude: findClaude(config, env, root ?? process.cwd()),
    claudePath: config.claudePath,
    root,
  };
}

/** Every reason the plan cannot run on `m`, and every warning; `planDir` is where its contract specs are. */
export function checkRunnable(plan: Plan, planDir: string | null, m: Machine): RunnableCheck {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const reported = new Set<RunnerKind>();
  plan.agents.forEach((a, i) => {
    const kind = a.runner?.kind ?? plan.defaults.runner;
    const at = a.runner ? `agents.${i}.runner` : "defaults.runner";
    if (reported.has(kind)) {
      // one problem per runner kind
    } else if (kind === "claude-code" && m.claude === null) {
      reported.add(kind);
      errors.push({
        path: at,
        message: m.claudePath
          ? `the claude-code runner needs Claude Code, but claudePath ${m.claudePath} (O/purple.yaml) is not an executable file`
          : "the claude-code runner needs Claude Code: `claude` is not on PATH (install @anthropic-ai/claude-code, or set claudePath in O/purple.yaml)",
      });
    } else if (kind === "anthropic" && m.hasApiKey === false) {
      reported.add(kind);
      errors.push({ path: at, message: "the anthropic runner needs an API key: ANTHROPIC_API_KEY is not set (purpled reads it from its environment at start)" });
    } else if (m.serves && !m.serves.includes(kind)) {
      reported.add(kind);
      errors.push({ path: at, message: `this purpled does not serve the ${kind} runner (it serves: ${m.serves.join(", ")})` });
    }
    if (a.runner?.kind === "command") {
      const program = a.runner.command[0]!;
      const found = program.includes("/") ? existsSync(isAbsolute(program) || !m.root ? program : resolve(m.root, program)) : m.which(program) !== null;
      if (!found) warnings.push({ path: `agents.${i}.runner.command.0`, message: `${JSON.stringify(program)} is not found here${program.includes("/") ? "" : " on PATH"}; the agent fails unless an earlier wave creates it` });
    }
    if (a.territory.length === 0) warnings.push({ path: `agents.${i}.territory`, message: `agent ${a.id} has no territory: it can read but change nothing` });
  });
  plan.contracts.forEach((c, i) => {
    if (!c.spec || !planDir) return;
    const file = join(planDir, c.spec);
    if (!existsSync(file) || !statSync(file).isFile()) errors.push({ path: `contracts.${i}.spec`, message: `contract ${c.id}'s spec ${c.spec} does not exist in ${planDir}` });
  });
  return { errors, warnings };
}
