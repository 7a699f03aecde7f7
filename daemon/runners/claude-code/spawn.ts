// The one place a Claude Code agent's process is started: (argv, env, cwd) plus the directories
// it must be able to write besides its territory (its config, home and temp). It runs in the
// agent sandbox (daemon/runners/sandbox.ts `sandboxed()`: a copy-on-write view of the project, the
// scratch directories bound writable over the read-only orchestration folder; its changes are
// checked and applied when the runner calls finish()) as its own process group, stdout read line by line as events,
// stderr appended to a log. A judge check's reviewer runs the same way in a gate view instead (its
// writes are discarded with the view). When the sandbox is replaced, only this file changes.
import { closeSync } from "node:fs";
import { groupAlive, killGroup } from "../../process/kill.ts";
import { openAppend } from "../../process/safe-open.ts";
import type { RunContext } from "../runner.ts";
import type { View } from "../../sandbox/view.ts";
import { sandboxed, type SandboxedCommand } from "../sandbox.ts";

export interface AgentProcessSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** the project root the sandbox protects */
  root: string;
  /** directories under the orchestration folder the process must write (config, home, temp) */
  writable: string[];
  stdin: string;
  /** stderr goes here (appended) */
  stderrFile: string;
  /** false: no sandbox even when one is available */
  sandbox: boolean;
  /** the attempt, whose sandbox (if any) the process runs in */
  ctx: Pick<RunContext, "sandbox">;
  /** run in this view instead (a reviewer): nothing it writes is kept; it is disposed of at finish() */
  view?: View | null;
  /** each complete stdout line, as it arrives */
  onLine: (line: string) => void;
}

export interface AgentProcess {
  /** the process group id (the leader's pid); 0 when it never started */
  readonly pgid: number;
  /** resolves when the leader has exited and its group is gone; never rejects */
  readonly exited: Promise<{ code: number | null; signal: string | null; error?: string }>;
  /** SIGTERM the group, then SIGKILL after `graceMs` */
  terminate(graceMs: number): void;
  /** once exited: check its changes and apply them when `apply` (runners/sandbox.ts); nothing without a sandbox */
  finish(apply: boolean): void;
}

export function startAgentProcess(spec: AgentProcessSpec): AgentProcess {
  // In the attempt's sandbox (a copy-on-write view of the project); the scratch directories are bound writable.
  const box = spec.view ? inView(spec.view, spec) : sandboxed(spec.sandbox ? spec.ctx : {}, spec.argv, spec.env, spec.cwd, { writable: spec.writable, source: "claude-code" });
  let finished = false;
  const finish = (apply: boolean) => {
    if (finished) return;
    finished = true;
    box.finish({ apply });
  };
  let errFd: number | "ignore" = "ignore";
  try {
    errFd = openAppend(spec.stderrFile);
  } catch {
    // without a log (or where a link was planted) the run still goes on
  }
  let proc: Bun.Subprocess<Blob, "pipe", number | "ignore">;
  try {
    proc = Bun.spawn(box.cmd, { cwd: spec.cwd, env: box.env, detached: true, stdin: new Blob([spec.stdin]), stdout: "pipe", stderr: errFd });
  } catch (err) {
    if (typeof errFd === "number") closeSync(errFd);
    box.discard();
    return { pgid: 0, exited: Promise.resolve({ code: null, signal: null, error: `could not start ${spec.argv[0]}: ${(err as Error).message}` }), terminate() {}, finish() {} };
  }
  // the child holds its own copy of the descriptor
  if (typeof errFd === "number") closeSync(errFd);
  const pgid = proc.pid;
  const pumped = pumpLines(proc.stdout, spec.onLine);
  let leaderDone = false;
  let stopDeadline: number | null = null;
  const exited = proc.exited.then(async () => {
    leaderDone = true;
    // Stopping: the leader may be the sandbox wrapper, gone at once on SIGTERM while Claude Code
    // still saves its conversation; the group gets the rest of its grace before SIGKILL.
    while (stopDeadline !== null && Date.now() < stopDeadline && groupAlive(pgid)) await Bun.sleep(20);
    // Whatever the leader left in its group goes with it.
    killGroup(pgid, "SIGKILL");
    for (let i = 0; i < 100 && groupAlive(pgid); i++) await Bun.sleep(10);
    await Promise.race([pumped, Bun.sleep(1000)]);
    return { code: proc.exitCode, signal: proc.signalCode == null ? null : String(proc.signalCode) };
  });
  return {
    pgid,
    exited,
    finish,
    terminate(graceMs) {
      if (leaderDone || stopDeadline !== null) return;
      stopDeadline = Date.now() + Math.max(0, graceMs);
      killGroup(pgid, "SIGTERM");
      setTimeout(() => {
        if (!leaderDone) killGroup(pgid, "SIGKILL");
      }, Math.max(0, graceMs)).unref?.();
    },
  };
}

function inView(view: View, spec: AgentProcessSpec): SandboxedCommand {
  const wrapped = view.wrap(spec.argv, spec.env, spec.cwd);
  return { ...wrapped, contained: true, finish: () => (view.dispose(), null), discard: () => view.dispose() };
}

async function pumpLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buf = "";
  try {
    for await (const chunk of stream) {
      buf += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) onLine(line);
      }
    }
  } catch {
    // the pipe broke: the exit tells the rest
  }
  if (buf.trim()) onLine(buf.trim());
}
