// Starting a program as its own process group and stopping the whole tree (RELIABILITY 7, 8).
//
// Every child is spawned detached: a new session whose pgid equals the leader's pid, so
// `kill(-pgid)` reaches grandchildren too. When the leader exits, whatever it left behind in
// the group is SIGKILLed: an agent never leaves processes running after it ends. The caller
// builds the environment; nothing is inherited implicitly.
import { closeSync, writeSync } from "node:fs";
import { openAppend } from "./safe-open.ts";
import { groupAlive, killGroup } from "./kill.ts";
import { groupRegistry } from "./registry.ts";

export { groupAlive, killGroup } from "./kill.ts";
export { tailBuffer, type TailBuffer } from "./tail.ts";

export interface SpawnGroupOptions {
  cmd: string[];
  cwd: string;
  /** the complete environment of the child */
  env: Record<string, string>;
  /** written to the child's stdin, which is then closed; without it stdin is /dev/null */
  stdin?: string;
  /** stdout and stderr are appended to this file */
  logFile?: string;
  /** stdout and stderr chunks as they arrive (e.g. into a tailBuffer) */
  onOutput?: (chunk: string) => void;
}

export interface GroupExit {
  /** the leader's exit code, null when a signal ended it or it never started */
  code: number | null;
  /** the signal that ended the leader (e.g. "SIGKILL") */
  signal: string | null;
  /** set when the program could not be started at all (ENOENT, bad cwd, ...) */
  error?: string;
}

export interface ProcessGroup {
  /** the leader's pid, which is also the group id; 0 when the program never started */
  readonly pid: number;
  /** resolves once the leader has exited, the group is cleaned up and output is flushed; never rejects */
  readonly exited: Promise<GroupExit>;
  /** SIGTERM the group, wait up to `graceMs` for the leader, then SIGKILL the group; resolves on exit */
  terminate(graceMs: number): Promise<void>;
  /** SIGKILL the group now */
  kill(): void;
}

// How long to wait for output pipes to close once the group is dead (a process that left the
// group with setsid may hold them open forever).
const DRAIN_LIMIT_MS = 1000;

/** Spawn `opts.cmd` as a new process group; a spawn failure becomes an exit with `error`, never a throw. */
export function spawnGroup(opts: SpawnGroupOptions): ProcessGroup {
  const describe = opts.cmd.join(" ");
  let log: LogSink | null = null;
  try {
    if (opts.logFile !== undefined) log = new LogSink(openAppend(opts.logFile)); // never through a link
  } catch (err) {
    return notStarted(`could not open the log ${opts.logFile}: ${messageOf(err)}`, opts);
  }
  const piped = opts.onOutput !== undefined;
  const sink = piped ? "pipe" : (log?.fd ?? "ignore");
  let proc: Bun.Subprocess;
  try {
    if (opts.cmd.length === 0) throw new Error("the command is empty");
    proc = Bun.spawn(opts.cmd, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdin: opts.stdin !== undefined ? new Blob([opts.stdin]) : "ignore",
      stdout: sink,
      stderr: sink,
    });
  } catch (err) {
    const message = `could not start ${describe}: ${messageOf(err)}`;
    log?.write(`purple: ${message}\n`);
    log?.close();
    opts.onOutput?.(`purple: ${message}\n`);
    return notStarted(message);
  }
  const pid = proc.pid;
  // Recorded with its identity before anything else happens, so a restart after a crash can kill it (and only it).
  groupRegistry()?.add(pid, describe.slice(0, 200));
  // When the child writes straight into the log, it holds its own copy of the descriptor.
  if (!piped) log?.close();
  const drained: Promise<unknown> = piped
    ? Promise.all([pump(proc.stdout as ReadableStream<Uint8Array>, opts.onOutput!, log), pump(proc.stderr as ReadableStream<Uint8Array>, opts.onOutput!, log)])
    : Promise.resolve();

  let leaderDone = false;
  /** when a stop was asked (SIGTERM): the group's other members get until then to finish their traps */
  let graceUntil = 0;
  const exited: Promise<GroupExit> = proc.exited
    .then(async () => {
      leaderDone = true;
      // A leader that exits on SIGTERM (a sandbox wrapper) must not cut its children's grace short.
      if (graceUntil > Date.now()) await untilGone(pid, graceUntil - Date.now());
      // Leftovers of the group go with their leader. kill() returns before they are dead, so
      // wait for that too: once `exited` resolves, nothing of the group is running.
      if (killGroup(pid, "SIGKILL")) await untilGone(pid, DRAIN_LIMIT_MS);
      await withDeadline(drained, DRAIN_LIMIT_MS);
      const signal = proc.signalCode;
      return { code: proc.exitCode, signal: signal === null || signal === undefined ? null : String(signal) };
    })
    .catch((err): GroupExit => ({ code: null, signal: null, error: `waiting for ${describe} failed: ${messageOf(err)}` }))
    .finally(() => {
      log?.close();
      groupRegistry()?.remove(pid);
    });

  return {
    pid,
    exited,
    async terminate(graceMs: number) {
      if (!leaderDone) {
        graceUntil = Date.now() + Math.max(0, graceMs);
        killGroup(pid, "SIGTERM");
        const exitedInTime = await withDeadline(exited.then(() => true), Math.max(0, graceMs));
        if (!exitedInTime) killGroup(pid, "SIGKILL");
      }
      await exited;
    },
    kill() {
      // Once the leader is gone the group was already killed; its id may be reused later.
      if (!leaderDone) killGroup(pid, "SIGKILL");
    },
  };
}

// A group that never started: it has already "exited" with the reason.
function notStarted(error: string, opts?: SpawnGroupOptions): ProcessGroup {
  opts?.onOutput?.(`purple: ${error}\n`);
  const exited = Promise.resolve<GroupExit>({ code: null, signal: null, error });
  return { pid: 0, exited, terminate: () => exited.then(() => {}), kill() {} };
}

// Decode a pipe into the callback (and the log), until it closes.
async function pump(stream: ReadableStream<Uint8Array>, onOutput: (chunk: string) => void, log: LogSink | null): Promise<void> {
  const decoder = new TextDecoder();
  try {
    for await (const bytes of stream) {
      log?.write(bytes);
      const text = decoder.decode(bytes, { stream: true });
      if (text) onOutput(text);
    }
    const rest = decoder.decode();
    if (rest) onOutput(rest);
  } catch {
    // a broken pipe ends the output; the exit status still tells how the process ended
  }
}

// An append-only log descriptor that ignores writes once closed (a late chunk must never land in
// whatever file reuses the descriptor number).
class LogSink {
  private open = true;
  constructor(readonly fd: number) {}
  write(data: string | Uint8Array): void {
    if (!this.open) return;
    try {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    } catch {
      // a full disk must not take process supervision down with it
    }
  }
  close(): void {
    if (!this.open) return;
    this.open = false;
    try { closeSync(this.fd); } catch {}
  }
}

// Poll until no live member of group `pgid` remains, or `ms` pass (a process stuck in the kernel).
async function untilGone(pgid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

// The promise's value, or undefined once `ms` passed first; the timer never outlives the race.
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
