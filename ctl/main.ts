// purplectl: the command line for people and scripts (SPEC §9). Exit codes: 0 success,
// 1 the command or the plan failed, 2 usage error, 3 no daemon answers.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { findRoot } from "./find-root.ts";
import { canonicalYaml, checkPlanAt, formatProblems, submitToInbox } from "./offline.ts";
import { readPlanDetail, readPlanStatuses, renderPlanDetail, renderPlans } from "./status.ts";

const USAGE = `usage: purplectl [--root DIR] [--json] COMMAND

  status [PLAN]        the plans (or one plan's waves and agents), from their status files
  validate PATH        check a plan file or folder offline: every problem (exit 1) or its canonical YAML
  submit PATH          check a plan, then copy it atomically into the inbox

The control-channel commands (watch, logs, approve, pause, resume, cancel, retry, stop,
service, mcp) arrive with the control socket; this version reads the status files directly.`;

const CONTROL_COMMANDS = new Set(["watch", "logs", "approve", "pause", "resume", "cancel", "retry", "stop", "service", "mcp"]);

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { root: { type: "string" }, socket: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || !command) return values.help ? (console.log(USAGE), 0) : usage("no command given");
  const root = findRoot(values.root);
  const out = (human: string, json: unknown) => console.log(values.json ? JSON.stringify(json, null, 2) : human);

  switch (command) {
    case "status": {
      if (!root) return fail("no .context-kit/orchestration/ here or in any parent directory; pass --root DIR");
      if (args[0]) {
        const detail = readPlanDetail(root, args[0]);
        if (!detail) return fail(`no plan ${args[0]} under ${root} (or it has no status yet)`);
        out(renderPlanDetail(detail), detail);
        return ["failed", "blocked", "cancelled"].includes(detail.plan.state) ? 1 : 0;
      }
      const plans = readPlanStatuses(root);
      out(renderPlans(plans), plans);
      return 0;
    }
    case "validate": {
      if (!args[0]) return usage("validate needs a PATH");
      const r = await checkPlanAt(resolve(args[0]), root);
      if (!r.ok) {
        if (values.json) console.log(JSON.stringify(r.problems, null, 2));
        else console.error(`${args[0]}: ${r.problems.length} problem(s)\n${formatProblems(r.problems)}`);
        return 1;
      }
      out(canonicalYaml(r.plan).trimEnd(), r.plan);
      return 0;
    }
    case "submit": {
      if (!args[0]) return usage("submit needs a PATH");
      if (!root) return fail("no .context-kit/orchestration/ here or in any parent directory; pass --root DIR");
      const r = await checkPlanAt(resolve(args[0]), root);
      if (!r.ok) return fail(`${args[0]} was not submitted: ${r.problems.length} problem(s)\n${formatProblems(r.problems)}`);
      try {
        const target = submitToInbox(resolve(args[0]), r.plan, root);
        out(`submitted ${r.plan.name} → ${target}`, { plan: r.plan.name, path: target });
        return 0;
      } catch (err) {
        return fail((err as Error).message);
      }
    }
    default:
      if (CONTROL_COMMANDS.has(command)) return usage(`'${command}' needs the control channel, which this version of purple does not have yet`);
      return usage(`unknown command '${command}'`);
  }
}

function usage(message: string): number {
  console.error(`purplectl: ${message}\n\n${USAGE}`);
  return 2;
}

function fail(message: string): number {
  console.error(`purplectl: ${message}`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
