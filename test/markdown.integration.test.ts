// A markdown plan folder dropped into O/: compiled, shown before it runs (plan.compiled.yaml and
// an intake report naming what was inferred), run only after `approve`, its manual check too.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { DaemonInfo, PlanStatus } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { expectValid, readJson } from "./support/files.ts";
import { TestRpc } from "./support/rpc.ts";
import { ScriptedApi, type ScriptStep } from "./support/scripted-api.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const PLAN_MD = `# Orchestration Plan: Greeting Site

A small site built in two waves.

## Wave 1: Foundation

### Agent 1: Content Writer
**Territory**: \`site/content/\`
- Write the greeting text

### Agent 2: Stylist
**Territory**: \`site/style/\`
- Pick the colours

### Synchronization Gate 1
\`\`\`bash
# both parts must exist before the page is assembled
test -f site/content/greeting.txt
\`\`\`
- [ ] Design review of the colours

## Wave 2: Assembly

### Agent 3: Page Builder
**Territory**: \`site/index.html\`
- Assemble the page
`;

const call = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });
const writes = (path: string, text: string): ScriptStep[] => [call("write_file", { path, content: text }), call("finish", { summary: `wrote ${path}` })];

test("a markdown plan waits for approval, runs after approve, and its report names what was inferred", async () => {
  const api = ScriptedApi.start({
    scripts: {
      "agent-1-content-writer": writes("site/content/greeting.txt", "hello\n"),
      "agent-2-stylist": writes("site/style/main.css", "body{}\n"),
      "agent-3-page-builder": writes("site/index.html", "<h1>hello</h1>\n"),
    },
  });
  cleanups.push(() => api.stop());
  const root = tempRoot({ git: true });
  const O = orchestrationDir(root);
  mkdirSync(join(O, "greeting"), { recursive: true });
  writeFileSync(join(O, "purple.yaml"), YAML.stringify({ defaults: { runner: "anthropic", model: "claude-sonnet-4-5" } }));
  const d = new DaemonProcess(root, [], { ANTHROPIC_API_KEY: "sk-ant-test-md", ANTHROPIC_BASE_URL: api.url });
  cleanups.push(() => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();
  const rpc = await TestRpc.connect(expectValid(DaemonInfo, readJson(join(O, ".purple", "daemon.json")), "daemon.json").socket);
  cleanups.push(() => rpc.close());
  await rpc.call("events.subscribe", { plan: "greeting" });

  writeFileSync(join(O, "greeting", "orchestration-plan.md"), PLAN_MD);
  await d.waitFor((l) => l.msg === "plan accepted" && l.plan === "greeting", "the compiled plan to be accepted");
  const dir = join(O, "greeting");
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.state).toBe("awaiting-approval");
  expect(api.requests.length).toBe(0); // nothing runs before approval

  const compiled = YAML.parse(readFileSync(join(dir, "plan.compiled.yaml"), "utf8"));
  expect(compiled.waves.map((w: any) => w.agents)).toEqual([["agent-1-content-writer", "agent-2-stylist"], ["agent-3-page-builder"]]);
  const report = readFileSync(join(dir, "intake-report.md"), "utf8");
  expect(report).toMatch(/orchestration-plan\.md:\d+/); // items carry file:line
  for (const inferred of ["site/content/", "test -f site/content/greeting.txt", "Design review"]) expect(report).toContain(inferred);

  expect((await rpc.call("plan.approve", { plan: "greeting" })).state).toBe("queued");
  // wave 1 runs; its gate's manual check blocks the plan until a person approves it
  await rpc.waitNotification((n) => n.params?.type === "plan.state" && n.params.to === "blocked", "the manual check to block the plan", 30_000);
  expect((await rpc.call("plan.approve", { plan: "greeting" })).state).toBe("running");
  await rpc.waitNotification((n) => n.params?.type === "plan.state" && n.params.to === "succeeded", "the plan to succeed", 30_000);
  expect(readFileSync(join(root, "site/index.html"), "utf8")).toBe("<h1>hello</h1>\n");
}, 60_000);
