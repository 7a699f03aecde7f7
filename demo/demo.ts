// npm run demo: a temporary project, purpled started on it, the example plan dropped into its
// inbox, live progress on screen, then `purplectl status` and exit 0 when the plan succeeded.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlanStatus, type PlanStatus as PlanStatusT } from "../protocol/index.ts";

const REPO = join(import.meta.dir, "..");
const BUN = process.execPath;
const keep = process.argv.includes("--keep");

const root = mkdtempSync(join(tmpdir(), "purple-demo-"));
Bun.spawnSync(["git", "init", "-q", "-b", "main"], { cwd: root });
writeFileSync(join(root, "README.md"), "A project purple works on.\n");
console.log(`project: ${root}`);

const daemon = Bun.spawn([BUN, join(REPO, "daemon", "main.ts"), "--root", root, "--log-level", "warn"], { stdout: "inherit", stderr: "inherit" });
const O = join(root, ".context-kit", "orchestration");
await until(() => existsSync(join(O, ".purple", "daemon.json")), 15_000, "purpled to start");
console.log(`purpled running (pid ${daemon.pid}); dropping demo/plan.yaml into the inbox\n`);
mkdirSync(join(O, "inbox"), { recursive: true });
copyFileSync(join(import.meta.dir, "plan.yaml"), join(O, "inbox", ".hello-purple.yaml.part"));
Bun.spawnSync(["mv", join(O, "inbox", ".hello-purple.yaml.part"), join(O, "inbox", "hello-purple.yaml")]);

const statusFile = join(O, "hello-purple", "status.json");
let last = "";
let final: PlanStatusT | null = null;
await until(() => {
  const s = readStatus(statusFile);
  if (!s) return false;
  const line = progressLine(s);
  if (line !== last) {
    console.log(line);
    last = line;
  }
  if (["succeeded", "failed", "blocked", "cancelled"].includes(s.state)) final = s;
  return final !== null;
}, 60_000, "the plan to finish");

console.log("\n$ purplectl status hello-purple");
const ctl = Bun.spawnSync([BUN, join(REPO, "ctl", "main.ts"), "--root", root, "status", "hello-purple"], { stdout: "inherit", stderr: "inherit" });
console.log(`\nsite/index.html: ${readFileSync(join(root, "site", "index.html"), "utf8").trim()}`);
daemon.kill("SIGTERM");
await daemon.exited;
if (!keep) rmSync(root, { recursive: true, force: true });
const ok = (final as PlanStatusT | null)?.state === "succeeded" && ctl.exitCode === 0;
console.log(ok ? "\ndemo: the plan succeeded" : "\ndemo: the plan did not succeed");
process.exit(ok ? 0 : 1);

function progressLine(s: PlanStatusT): string {
  const total = Object.values(s.counts).reduce((a, b) => a + b, 0);
  const done = s.counts.completed ?? 0;
  const width = 20;
  const bar = "█".repeat(Math.round((done / total) * width)).padEnd(width, "░");
  const waves = s.waves.map((w) => `${w.id}:${w.state}`).join(" ");
  return `[${bar}] ${done}/${total} agents  ${s.state.padEnd(9)} running ${s.counts.running ?? 0}  ${waves}`;
}

function readStatus(path: string): PlanStatusT | null {
  try {
    return PlanStatus.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch {
    return null;
  }
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline || daemon.exitCode !== null) {
      console.error(`demo: gave up waiting for ${what}`);
      daemon.kill("SIGKILL");
      process.exit(1);
    }
    await Bun.sleep(100);
  }
}
