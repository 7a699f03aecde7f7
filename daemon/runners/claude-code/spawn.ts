// The one place a Claude Code agent's process is started: (argv, env, cwd) plus the directories
// it must be able to write besides its territory (its config, home and temp). It runs in the
// agent sandbox (daemon/runners/sandbox.ts; the scratch directories are bound writable over the
// read-only orchestration folder) as its own process group, stdout read line by line as events,
// stderr appended to a log. When the sandbox is replaced, only this file changes.
import { closeSync, openSync } from "node:fs";
import { groupAlive, killGroup } from "../../process/kill.ts";
import { sandboxPrefix } from "../sandbox.ts";

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
}

/** The argv with the sandbox in front of it (or as it is without one). */
export function sandboxed(spec: Pick<AgentProcessSpec, "argv" | "root" | "writable" | "sandbox">): string[] {
  const prefix = spec.sandbox ? sandboxPrefix(spec.root) : null;
  if (!prefix) return spec.argv;
  // bwrap applies binds in order: these come after the read-only ones and win beneath them.
  const binds = spec.writable.flatMap((d) => ["--bind", d, d]);
  return [...prefix.slice(0, -1), ...binds, "--", ...spec.argv];
}

export function startAgentProcess(spec: AgentProcessSpec): AgentProcess {
  const argv = sandboxed(spec);
  let errFd: number | "ignore" = "ignore";
  try {
    errFd = openSync(spec.stderrFile, "a", 0o644);
  } catch {
    // without a log the run still goes on
  }
  let proc: Bun.Subprocess<Blob, "pipe", number | "ignore">;
  try {
    proc = Bun.spawn(argv, { cwd: spec.cwd, env: spec.env, detached: true, stdin: new Blob([spec.stdin]), stdout: "pipe", stderr: errFd });
  } catch (err) {
    if (typeof errFd === "number") closeSync(errFd);
    return { pgid: 0, exited: Promise.resolve({ code: null, signal: null, error: `could not start ${spec.argv[0]}: ${(err as Error).message}` }), terminate() {} };
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
