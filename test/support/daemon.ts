// Integration-test support: a real purpled process on a temp root, waited on through its
// JSON log lines (events), never fixed sleeps.
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

const REPO = join(import.meta.dir, "..", "..");
export const BUN = process.execPath;

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A temp project root, optionally a git repository with one commit. */
export function tempRoot(opts: { git?: boolean; files?: Record<string, string> } = {}): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "purple-it-")));
  for (const [path, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  if (opts.git) {
    const git = (...args: string[]) => {
      const r = Bun.spawnSync(["git", ...args], { cwd: root, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } });
      if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
    };
    git("init", "-q", "-b", "main");
    writeFileSync(join(root, "README.md"), "test project\n");
    git("add", "-A");
    git("commit", "-qm", "init");
  }
  return root;
}

export const orchestrationDir = (root: string) => join(root, ".context-kit", "orchestration");

/** A running purpled whose stderr log lines can be awaited. */
export class DaemonProcess {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  readonly lines: LogLine[] = [];
  readonly stderrText: string[] = [];
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<number>;

  /** `prefix` runs purpled through another program (e.g. setpriv, to test as an unprivileged user; it must exec purpled, not fork it, so that killing `proc` kills purpled). */
  constructor(root: string, args: string[] = [], env: Record<string, string> = {}, prefix: string[] = []) {
    // The suite's agents mostly report by writing outside the project (run counters, pids), which only an
    // unsandboxed agent can: purpled runs with --sandbox off unless a test asks for the sandbox (--sandbox on).
    if (!args.includes("--sandbox")) args = [...args, "--sandbox", "off"];
    this.proc = Bun.spawn([...prefix, BUN, join(REPO, "daemon", "main.ts"), "--root", root, "--log-level", "debug", "--retry-base", "100ms", "--grace", "1s", ...args], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, ...env },
    });
    void this.read();
    this.exited = this.proc.exited;
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of this.proc.stderr) {
      buf += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.stderrText.push(text);
        let line: LogLine;
        try {
          line = JSON.parse(text);
        } catch {
          continue;
        }
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => (w.pred(line) ? (w.resolve(line), false) : true));
      }
    }
  }

  /** The first log line (past or future) matching `pred`; rejects after `ms` naming what it waited for. */
  waitFor(pred: (l: LogLine) => boolean, what: string, ms = 20_000): Promise<LogLine> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; log:\n${this.stderrText.slice(-30).join("\n")}`)), ms);
      this.waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  }

  started(): Promise<LogLine> {
    return this.waitFor((l) => l.msg === "purpled started", "purpled started");
  }

  planEnded(plan: string, ms?: number): Promise<LogLine> {
    return this.waitFor((l) => l.msg === "plan ended" && l.plan === plan, `plan ${plan} to end`, ms);
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number> {
    this.proc.kill(signal);
    return this.exited;
  }
}

/** The real purplectl, as a user runs it, on a given socket: its exit code and what it printed. */
export async function purplectl(socket: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([BUN, join(import.meta.dir, "..", "..", "bin", "purplectl"), "--socket", socket, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}
