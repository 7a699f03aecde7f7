// The `command` runner (SPEC §10): any program as an agent. The prompt arrives on stdin and in
// $PURPLE_PROMPT_FILE (and in place of any "{promptFile}" argument), the plan's coordinates in
// PURPLE_* variables; exit 0 means it finished.
// The program runs as its own process group in the attempt's sandbox (runners/sandbox.ts), so a
// timeout or a cancel stops the whole tree, and its changes reach the project only once it has
// exited 0 and every one of them is allowed.
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { baseEnv, withoutSecrets } from "../process/env.ts";
import { appendNoFollow, ensureRealDir } from "../process/safe-open.ts";
import { spawnGroup, type GroupExit, type ProcessGroup } from "../process/group.ts";
import { OutputLogCap } from "./output-cap.ts";
import type { AgentRun, RunContext, Runner, RunResult } from "./runner.ts";
import { describeSettled, sandboxed, type SandboxedCommand } from "./sandbox.ts";
import { formatMs, settledRun } from "./shared.ts";

export interface CommandRunnerOptions {
  /** where the safe base variables (PATH, HOME, ...) are read from; default process.env */
  sourceEnv?: Record<string, string | undefined>;
}

/** Runs agents whose runner is `{kind: command, command: [...]}`. */
export class CommandRunner implements Runner {
  readonly writes = "sandboxed";
  constructor(private readonly options: CommandRunnerOptions = {}) {}

  /** Start one attempt; never throws, every problem ends up in `done`. */
  start(ctx: RunContext): AgentRun {
    const spec = ctx.agent.runner;
    if (!spec || spec.kind !== "command") {
      const kind = spec ? spec.kind : `${ctx.plan.defaults.runner} (the plan default)`;
      return settledRun(failed(`agent ${ctx.agent.id} has no command to run: its runner is ${kind}; give it runner: {kind: command, command: [...]}`));
    }
    try {
      // Inside the sandbox a missing program is only "bwrap exited 1": say what is missing first.
      const source = this.options.sourceEnv ?? process.env;
      const program = spec.command[0]!;
      const found = program.includes("/") ? existsSync(isAbsolute(program) ? program : join(ctx.root, program)) : Bun.which(program, { PATH: source.PATH ?? "" }) !== null;
      if (!found) {
        const message = `could not start agent ${ctx.agent.id}: ${program} was not found (PATH=${source.PATH ?? ""})`;
        ensureRealDir(ctx.planDir, ctx.agentDir);
        appendNoFollow(join(ctx.agentDir, "output.log"), `purple: ${message}\n`);
        return settledRun(failed(message));
      }
      return new CommandRun(ctx, spec.command, this.options.sourceEnv ?? process.env);
    } catch (err) {
      return settledRun(failed(`could not start agent ${ctx.agent.id}: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}

/** The environment of a command agent: the safe base plus the PURPLE_* coordinates, never a secret. */
export function commandEnv(ctx: RunContext, promptFile: string, source: Record<string, string | undefined>): Record<string, string> {
  return withoutSecrets({
    ...baseEnv(source),
    PURPLE_PLAN: ctx.plan.name,
    PURPLE_AGENT: ctx.agent.id,
    PURPLE_WAVE: ctx.wave,
    PURPLE_TERRITORY: JSON.stringify(ctx.agent.territory),
    PURPLE_SOCKET: ctx.socket,
    PURPLE_STATUS_FILE: ctx.statusFile,
    PURPLE_PROMPT_FILE: promptFile,
    PURPLE_ROOT: ctx.root,
    PURPLE_ATTEMPT: String(ctx.attempt),
  });
}

// Why the run is being stopped; the first reason wins.
type StopReason = { kind: "timeout" } | { kind: "cancelled"; reason: string };

class CommandRun implements AgentRun {
  readonly pgid: number | null;
  readonly done: Promise<RunResult>;
  private readonly group: ProcessGroup;
  private stop: StopReason | null = null;
  private ended = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: RunContext, command: string[], source: Record<string, string | undefined>) {
    const promptFile = join(ctx.agentDir, "prompt.md");
    const logFile = join(ctx.agentDir, "output.log");
    ensureRealDir(ctx.planDir, ctx.agentDir);
    writeFileAtomic(promptFile, ctx.prompt);
    // A command template (O/purple.yaml defaults.command) may name the prompt file as "{promptFile}".
    command = command.map((arg) => arg.replaceAll("{promptFile}", promptFile));
    appendNoFollow(logFile, `--- attempt ${ctx.attempt} started ${new Date().toISOString()}: ${command.join(" ")} ---\n`);
    const run = sandboxed(ctx, command, commandEnv(ctx, promptFile, source), ctx.root);
    this.group = spawnGroup({ cmd: run.cmd, cwd: ctx.root, env: run.env, stdin: ctx.prompt, logFile });
    this.pgid = this.group.pid > 0 ? this.group.pid : null;
    const cap = new OutputLogCap(logFile).start(); // the agent writes the file itself: keep it bounded
    if (this.pgid !== null) this.armTimeout(ctx.timeoutMs);
    this.done = this.group.exited
      .then((exit) => this.result(exit))
      .then((result) => settle(run, result, logFile))
      .catch((err): RunResult => failed(`agent ${ctx.agent.id} ended in an unexpected error: ${err instanceof Error ? err.message : String(err)}`))
      .then(async (result) => {
        await cap.stop();
        this.ended = true;
        clearTimeout(this.timer);
        try {
          appendNoFollow(logFile, `--- attempt ${ctx.attempt} ended ${new Date().toISOString()}: ${result.outcome}: ${result.message} ---\n`);
        } catch {
          // the result matters more than its log line
        }
        return result;
      });
  }

  cancel(reason: string): void {
    this.halt({ kind: "cancelled", reason });
  }

  private halt(stop: StopReason): void {
    if (this.ended || this.stop) return;
    this.stop = stop;
    clearTimeout(this.timer);
    void this.group.terminate(this.ctx.graceMs);
  }

  // setTimeout cannot wait longer than 2^31-1 ms; longer timeouts are re-armed in steps.
  private armTimeout(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) return;
    const deadline = Date.now() + ms;
    const tick = () => {
      const left = deadline - Date.now();
      if (left > 0) this.timer = setTimeout(tick, Math.min(left, 2 ** 31 - 1));
      else this.halt({ kind: "timeout" });
    };
    this.timer = setTimeout(tick, Math.min(ms, 2 ** 31 - 1));
  }

  private result(exit: GroupExit): RunResult {
    const base = { exitCode: exit.code, signal: exit.signal };
    if (this.stop?.kind === "timeout") {
      return { outcome: "timeout", ...base, message: `timed out after ${formatMs(this.ctx.timeoutMs)} and was stopped` };
    }
    if (this.stop?.kind === "cancelled") return { outcome: "cancelled", ...base, message: `cancelled: ${this.stop.reason}` };
    if (exit.error !== undefined) return { outcome: "failed", ...base, message: exit.error };
    if (exit.code === 0) return { outcome: "finished", ...base, message: "exited with code 0" };
    if (exit.code !== null) return { outcome: "failed", ...base, message: `exited with code ${exit.code}` };
    return { outcome: "failed", ...base, message: `killed by ${exit.signal ?? "an unknown signal"}` };
  }
}

// The process tree is gone: its changes are applied only if it finished; what became of them goes into the log.
function settle(run: SandboxedCommand, result: RunResult, logFile: string): RunResult {
  const settled = run.finish({ apply: result.outcome === "finished" });
  if (settled) {
    try {
      appendNoFollow(logFile, describeSettled(settled) + "\n");
    } catch {}
  }
  return result;
}

function failed(message: string): RunResult {
  return { outcome: "failed", exitCode: null, signal: null, message };
}


