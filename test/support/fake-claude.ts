// A stand-in for the `claude` CLI in the claude-code runner's fast tests: it prints the
// stream-json lines a test scripted in <cwd>/.fake-claude.json (one entry per invocation) and
// then exits, fails or hangs as told. Each invocation's argv and environment are saved beside
// it so tests can check --resume, the environment and the flags.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface FakeRun {
  lines: unknown[];
  /** what happens after the lines: exit with a code, or hang (ignoring SIGTERM with "stubborn") */
  then: { exit: number } | { hang: "polite" | "stubborn" };
  /** write the conversation file Claude Code would keep, so that a later --resume is possible */
  saveSession?: boolean;
  stderr?: string;
}

/** Write the runs for a fake claude working in `cwd`, and the wrapper script to run it. */
export function scriptFakeClaude(cwd: string, runs: FakeRun[]): string {
  writeFileSync(join(cwd, ".fake-claude.json"), JSON.stringify(runs));
  const wrapper = join(cwd, ".fake-claude.sh");
  writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${import.meta.path}' "$@"\n`, { mode: 0o755 });
  return wrapper;
}

/** The argv and environment of each invocation so far. */
export function fakeInvocations(cwd: string): { argv: string[]; env: Record<string, string> }[] {
  const file = join(cwd, ".fake-claude-calls.jsonl");
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
}

if (import.meta.main) {
  const cwd = process.cwd();
  const runs: FakeRun[] = JSON.parse(readFileSync(join(cwd, ".fake-claude.json"), "utf8"));
  const n = fakeInvocations(cwd).length;
  appendFileSync(join(cwd, ".fake-claude-calls.jsonl"), `${JSON.stringify({ argv: process.argv.slice(2), env: process.env })}\n`);
  const run = runs[Math.min(n, runs.length - 1)]!;
  const argv = process.argv.slice(2);
  const id = argv[argv.indexOf("--session-id") + 1] ?? argv[argv.indexOf("--resume") + 1];
  if (run.saveSession && process.env.CLAUDE_CONFIG_DIR && id) {
    const dir = join(process.env.CLAUDE_CONFIG_DIR, "projects", cwd.replace(/\//g, "-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${id}.jsonl`), "{}\n");
  }
  if (run.stderr) process.stderr.write(run.stderr);
  await Bun.write(Bun.stdout, run.lines.map((l) => `${JSON.stringify(l).replace(/SESSION/g, id ?? "")}\n`).join(""));
  if ("exit" in run.then) process.exit(run.then.exit);
  if (run.then.hang === "stubborn") process.on("SIGTERM", () => {});
  setInterval(() => {}, 1000);
}
