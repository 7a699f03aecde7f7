// npm run demo: a temporary project, purpled started on it, an example plan submitted, live
// progress from `purplectl watch`, then `purplectl status`; exit 0 when the plan succeeded.
//   (default)   anthropic agents against a scripted Messages-API server on 127.0.0.1 — no network, no key
//   --live      the same plan against the real API (needs ANTHROPIC_API_KEY)
//   --commands  the command-agent example (demo/command-plan.yaml)
//   --claude-code  the demo plan run by the real Claude Code CLI (the pinned devDependency)
//               against the scripted server — no network, no key
//   --keep      keep the temporary project
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptedApi } from "../test/support/scripted-api.ts";
import YAML from "yaml";
import { claudeDemoScripts, DEMO_SCRIPTS } from "./scripts.ts";

const REPO = join(import.meta.dir, "..");
const BUN = process.execPath;
const args = new Set(process.argv.slice(2));
const live = args.has("--live");
const commands = args.has("--commands");
const keep = args.has("--keep");
const claudeCode = args.has("--claude-code");
const CLAUDE = join(REPO, "node_modules", ".bin", "claude");
if (claudeCode && !existsSync(CLAUDE)) {
  console.error(`demo: --claude-code needs ${CLAUDE}: run npm install`);
  process.exit(2);
}

if (live && !process.env.ANTHROPIC_API_KEY) {
  console.error("demo: --live needs ANTHROPIC_API_KEY in the environment (without --live the demo needs no key)");
  process.exit(2);
}

let planFile = join(import.meta.dir, commands ? "command-plan.yaml" : "plan.yaml");
const planName = commands ? "hello-commands" : "hello-purple";
const root = mkdtempSync(join(tmpdir(), "purple-demo-"));
Bun.spawnSync(["git", "init", "-q", "-b", "main"], { cwd: root });
writeFileSync(join(root, "README.md"), "A project purple works on.\n");

// The scripted server stands in for the Messages API unless --live; the key is a local placeholder.
const scripts = claudeCode ? claudeDemoScripts(root) : structuredClone(DEMO_SCRIPTS);
const api = live || commands ? null : ScriptedApi.start({ scripts, expectKey: "sk-ant-demo-local" });
if (claudeCode) {
  // The same plan with runner claude-code, and purpled pointed at the pinned CLI.
  const plan = YAML.parse(readFileSync(planFile, "utf8"));
  plan.defaults = { ...plan.defaults, runner: "claude-code", model: "claude-sonnet-4-5" };
  planFile = join(root, "hello-purple.claude-code.yaml");
  writeFileSync(planFile, YAML.stringify(plan));
  mkdirSync(join(root, ".context-kit", "orchestration"), { recursive: true });
  writeFileSync(join(root, ".context-kit", "orchestration", "purple.yaml"), `claudePath: ${JSON.stringify(CLAUDE)}\n`);
}
const env: Record<string, string> = { ...(process.env as Record<string, string>) };
if (api) Object.assign(env, { ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: "sk-ant-demo-local" });
console.log(`project: ${root}`);
console.log(api ? `model API: scripted server at ${api.url} (no network)${claudeCode ? "; agents: Claude Code" : ""}` : live ? "model API: the real Anthropic API" : "agents: command agents");

const daemon = Bun.spawn([BUN, join(REPO, "daemon", "main.ts"), "--root", root, "--log-level", "warn"], { env, stdout: "inherit", stderr: "inherit" });
const infoFile = join(root, ".context-kit", "orchestration", ".purple", "daemon.json");
const deadline = Date.now() + 15_000;
while (!existsSync(infoFile)) {
  if (Date.now() > deadline || daemon.exitCode !== null) fail("purpled did not start");
  await Bun.sleep(50);
}

const ctl = (...a: string[]) => Bun.spawnSync([BUN, join(REPO, "ctl", "main.ts"), "--root", root, ...a], { stdout: "inherit", stderr: "inherit", env: withoutKey() });
console.log(`\n$ purplectl submit ${planFile.startsWith(REPO) ? planFile.slice(REPO.length + 1) : planFile}`);
if (ctl("submit", planFile).exitCode !== 0) fail("submit failed");
console.log(`\n$ purplectl watch ${planName}`);
const watched = Bun.spawn([BUN, join(REPO, "ctl", "main.ts"), "--root", root, "watch", planName], { stdout: "inherit", stderr: "inherit", env: withoutKey() });
const timer = setTimeout(() => watched.kill(), 90_000);
const outcome = await watched.exited;
clearTimeout(timer);
console.log(`\n$ purplectl status ${planName}`);
ctl("status", planName);
const page = join(root, "site", "index.html");
if (existsSync(page)) console.log(`\nsite/index.html:\n${readFileSync(page, "utf8").trim()}`);
if (api) console.log(`\nthe scripted server answered ${api.requests.length} requests`);

daemon.kill("SIGTERM");
await daemon.exited;
await api?.stop();
if (!keep) rmSync(root, { recursive: true, force: true });
console.log(outcome === 0 ? "\ndemo: the plan succeeded" : "\ndemo: the plan did not succeed");
process.exit(outcome === 0 ? 0 : 1);

function withoutKey(): Record<string, string> {
  const { ANTHROPIC_API_KEY: _key, ...rest } = process.env as Record<string, string>;
  return rest;
}

function fail(message: string): never {
  console.error(`demo: ${message}`);
  daemon?.kill("SIGKILL");
  process.exit(1);
}
