// purplectl: the command line for people and scripts (SPEC §9). Exit codes: 0 success,
// 1 the command or the plan failed, 2 usage error, 3 no daemon answers.
// Command modules load on demand, so `purplectl status` pays only for what status uses.
import { parseArgv } from "./args.ts";
import type { Ctx, Flags } from "./context.ts";
import { failureOf, UsageError } from "./errors.ts";
import pkg from "../package.json" with { type: "json" };

const USAGE = `usage: purplectl [--socket PATH] [--root DIR] [--json] COMMAND

  status [PLAN] [--wide]     the daemon, its plans and recent inbox rejections, or one plan's
                             waves and agents (why it stopped, if it did); --wide: cut nothing
  watch [PLAN]               live progress until the plan ends; exit 0 succeeded, 1 otherwise
  logs PLAN [AGENT] [-f]     the plan's status log, or an agent's output; -f follows it
  submit PATH                check a plan, hand it to purpled (or into the inbox), and say what
                             became of it: accepted, replaced, rerun, unchanged, or every problem
  validate PATH              offline: every problem (exit 1) or the canonical YAML
  plan PATH|PLAN             dry run: the schedule under maxAgents, the critical path, a cost range
  approve|pause|resume PLAN  as the RPC methods plan.approve, plan.pause, plan.resume
  cancel PLAN [AGENT]        cancel the plan, or one agent of it
  retry PLAN AGENT           run a failed or blocked agent again
  rerun PLAN                 run an ended plan again (its earlier run is kept under runs/<n>/)
  forget PLAN                drop an ended plan and its run files
  init [--claude-command]    set this project up: O/purple.yaml with detected defaults, O/.gitignore;
                             --claude-command: also the /purple-plan command in .claude/commands/
  stop                       ask purpled to drain and exit
  service print|install [--systemd|--launchd] [--user]
                             a systemd unit or launchd plist that runs purpled for this root
  mcp [--plan PLAN]          an MCP server on stdio whose purple_* tools forward to purpled
  dashboard                  the web view's address with its token; opens it on a terminal

The socket is --socket, else $PURPLE_SOCKET, else the one in the nearest
.context-kit/orchestration/.purple/daemon.json (walking up from --root or the working directory).
Exit codes: 0 success, 1 the command or the plan failed, 2 usage error, 3 no daemon answers.`;

type Run = (ctx: Ctx, args: string[]) => Promise<number>;
interface Command {
  min: number;
  max: number;
  args: string;
  flags?: (keyof Flags)[];
  run: Run;
  /** loads zod itself, only once its request is on its way (submit: the plan starts sooner) */
  lean?: true;
}

const planVerb = (verb: "approve" | "pause" | "resume"): Command => ({ min: 1, max: 1, args: "PLAN", run: async (c, a) => (await import("./commands/control.ts")).planVerb(c, verb, a) });

const COMMANDS: Record<string, Command> = {
  status: { min: 0, max: 1, args: "[PLAN] [--wide]", flags: ["wide"], run: async (c, a) => (await import("./commands/status.ts")).status(c, a) },
  watch: { min: 0, max: 1, args: "[PLAN]", run: async (c, a) => (await import("./commands/watch.ts")).watch(c, a) },
  logs: { min: 1, max: 2, args: "PLAN [AGENT] [-f]", flags: ["follow"], run: async (c, a) => (await import("./commands/logs.ts")).logs(c, a) },
  submit: { min: 1, max: 1, args: "PATH", lean: true, run: async (c, a) => (await import("./commands/submit.ts")).submit(c, a) },
  plan: { min: 1, max: 1, args: "PATH|PLAN", run: async (c, a) => (await import("./commands/plan.ts")).planCommand(c, a) },
  validate: { min: 1, max: 1, args: "[--compile [--model] | --report] PATH", flags: ["compile", "model", "report"], run: async (c, a) => (await import("./commands/plan-files.ts")).validate(c, a) },
  approve: { min: 1, max: 1, args: "PLAN [--override CHECK[,CHECK…]]", flags: ["override"], run: async (c, a) => (await import("./commands/control.ts")).planVerb(c, "approve", a) },
  pause: planVerb("pause"),
  resume: planVerb("resume"),
  cancel: {
    min: 1, max: 2, args: "PLAN [AGENT]",
    run: async (c, a) => {
      const m = await import("./commands/control.ts");
      return a.length === 2 ? m.agentVerb(c, "cancel", a) : m.planVerb(c, "cancel", a);
    },
  },
  retry: { min: 2, max: 2, args: "PLAN AGENT [--note TEXT]", flags: ["note"], run: async (c, a) => (await import("./commands/control.ts")).agentVerb(c, "retry", a) },
  rerun: { min: 1, max: 1, args: "PLAN", run: async (c, a) => (await import("./commands/control.ts")).rerun(c, a) },
  forget: { min: 1, max: 1, args: "PLAN", run: async (c, a) => (await import("./commands/control.ts")).forget(c, a) },
  stop: { min: 0, max: 0, args: "", run: async (c) => (await import("./commands/control.ts")).stop(c) },
  service: { min: 1, max: 1, args: "print|install [--systemd|--launchd] [--user]", flags: ["systemd", "launchd", "user"], run: async (c, a) => (await import("./commands/service.ts")).service(c, a) },
  mcp: { min: 0, max: 0, args: "[--plan PLAN]", flags: ["plan"], run: async (c) => (await import("./commands/mcp.ts")).mcp(c) },
  init: {
    min: 0, max: 0, args: "[--claude-command]", flags: ["claude-command"],
    // O/purple.yaml and the ignore rules; with --claude-command also the /purple-plan command (ctl/claude-command/)
    run: async (c) => {
      const code = await (await import("./commands/init.ts")).init(c);
      return c.flags["claude-command"] ? Math.max(code, await (await import("./claude-command/init-command.ts")).initClaudeCommand(c)) : code;
    },
  },
  dashboard: { min: 0, max: 0, args: "", run: async (c) => (await import("./commands/dashboard.ts")).dashboard(c) },
};

const GLOBAL = new Set(["root", "socket", "json", "help", "version"]);

/** Parse the command line, run the command, and turn any failure into its message and exit code. */
async function main(argv: string[]): Promise<number> {
  let ctx: Ctx | undefined;
  try {
    const parsed = parse(argv);
    if (parsed === "help") return void console.log(USAGE), 0;
    if (parsed === "version") return void console.log(pkg.version), 0;
    if (!parsed.command.lean) await import("./zod-config.ts"); // before any schema is built
    const { Ctx } = await import("./context.ts");
    ctx = new Ctx(parsed.flags);
    return await parsed.command.run(ctx, parsed.args);
  } catch (err) {
    const f = failureOf(err, ctx?.socket.root ?? null);
    console.error(`purplectl: ${f.message}${err instanceof UsageError ? "\nrun `purplectl --help` for the commands" : ""}`);
    return f.code;
  } finally {
    ctx?.closeAll();
  }
}

function parse(argv: string[]): "help" | "version" | { command: Command; args: string[]; flags: Flags } {
  const { values, positionals } = parseArgv(argv);
  if (values.help) return "help";
  if (values.version) return "version";
  const [name, ...args] = positionals;
  if (!name) throw new UsageError("no command given");
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown command '${name}'`);
  const given = Object.keys(values).filter((k) => !GLOBAL.has(k));
  const stray = given.find((k) => !command.flags?.includes(k as keyof Flags));
  if (stray) throw new UsageError(`${name} takes no --${stray}`);
  if (args.length < command.min || args.length > command.max) throw new UsageError(`usage: purplectl ${name} ${command.args}`.trimEnd());
  if (values.systemd && values.launchd) throw new UsageError("choose one of --systemd and --launchd");
  const flags: Flags = {
    root: values.root, socket: values.socket, json: values.json ?? false, wide: values.wide ?? false, follow: values.follow ?? false, compile: values.compile ?? false, model: values.model ?? false, "claude-command": values["claude-command"] ?? false, report: values.report ?? false,
    systemd: values.systemd ?? false, launchd: values.launchd ?? false, user: values.user ?? false, plan: values.plan, override: values.override, note: values.note,
  };
  return { command, args, flags };
}

// Exit by exitCode, not process.exit(): that would drop stdout still queued for a slow pipe.
// Every command closes what it opened; the unref'd timer only ends a process something kept alive.
process.exitCode = await main(process.argv.slice(2));
setTimeout(() => process.exit(), 2000).unref();
