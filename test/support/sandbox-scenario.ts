// Run by test/sandbox.test.ts as the current user and as an unprivileged one: each case makes a
// project, runs an attack (or honest work) inside a real sandbox view, then checks and applies the
// changeset as purpled would, and reports what happened as one JSON line per case on stdout.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { detectSandbox } from "../../daemon/sandbox/detect.ts";
import { applyChanges } from "../../daemon/sandbox/apply.ts";
import { checkChanges } from "../../daemon/sandbox/check.ts";
import { foreignOwnedWarning } from "../../daemon/sandbox/owners.ts";
import { View } from "../../daemon/sandbox/view.ts";

export interface CaseResult {
  name: string;
  exitCode: number | null;
  output: string;
  changes: string[];
  refused: string[];
  applied: boolean;
  /** the project after the case: path → content ("<dir>", "-> target", "<fifo>", or the file's text and mode) */
  after: Record<string, string>;
  warning: string | null;
}

export interface Case {
  name: string;
  territory: string[];
  script: string;
  /** files of the project before: path → content */
  files?: Record<string, string>;
  /** extra set-up on the project folder before the run (as the user running the scenario) */
  setup?: string;
  /** use this prepared project folder instead of a new one (files another user owns) */
  existingRoot?: string;
}

/** What the project holds, never following links. */
export function snapshot(root: string, rel = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    if (st.isDirectory()) {
      out[path] = `<dir ${(st.mode & 0o7777).toString(8)}>`;
      Object.assign(out, snapshot(root, path));
    } else if (st.isSymbolicLink()) out[path] = "-> link";
    else if (st.isFile()) {
      let text: string;
      try {
        text = readFileSync(join(root, path), "utf8");
      } catch {
        text = "<unreadable>";
      }
      out[path] = `${text} (${(st.mode & 0o7777).toString(8)}, nlink ${st.nlink})`;
    } else out[path] = "<special>";
  }
  return out;
}

export function runCase(tools: NonNullable<ReturnType<typeof detectSandbox>["tools"]>, base: string, c: Case): CaseResult {
  const root = c.existingRoot ?? mkdtempSync(join(base, "p-"));
  for (const [path, text] of Object.entries(c.files ?? {})) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  mkdirSync(join(root, ".git", "hooks"), { recursive: true });
  mkdirSync(join(root, ".context-kit", "orchestration", ".purple"), { recursive: true });
  writeFileSync(join(root, ".context-kit", "orchestration", ".purple", "daemon.json"), "{}");
  if (c.setup) Bun.spawnSync(["sh", "-c", c.setup], { cwd: root });
  const warning = foreignOwnedWarning(root, c.territory);
  const view = View.open({ tools, root, scratch: join(base, "scratch"), hide: [join(root, ".context-kit", "orchestration", ".purple")], readOnly: [join(root, ".git"), join(root, ".context-kit", "orchestration")].filter((p) => existsSync(p)) });
  const { cmd, env } = view.wrap(["/bin/bash", "-c", c.script], { PATH: "/usr/bin:/bin", HOME: process.env.HOME ?? "/" }, root);
  const run = Bun.spawnSync(cmd, { env, stdout: "pipe", stderr: "pipe" });
  const changes = view.changes();
  const refused = checkChanges(changes, c.territory);
  let applied = false;
  if (refused.length === 0 && changes.length > 0) {
    applyChanges(changes, view.upper, root);
    applied = true;
  }
  view.dispose();
  return {
    name: c.name,
    exitCode: run.exitCode,
    output: run.stdout.toString() + run.stderr.toString(),
    changes: changes.map((x) => `${x.kind} ${x.path}`),
    refused: refused.map((r) => `${r.path}: ${r.reason}`),
    applied,
    after: snapshot(root),
    warning,
  };
}

if (import.meta.main) {
  const cases = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as Case[];
  const base = mkdtempSync(join(process.argv[3]!, "run-"));
  chmodSync(base, 0o755);
  const detected = detectSandbox(join(base, "probe"));
  if (!detected.tools) {
    console.log(JSON.stringify({ unavailable: detected.info.detail }));
    process.exit(0);
  }
  for (const c of cases) console.log(JSON.stringify(runCase(detected.tools, base, c)));
}
