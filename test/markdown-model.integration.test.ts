// purpled with `compile: {model: true}` in O/purple.yaml, against the scripted model server: a single
// markdown file dropped into the inbox becomes a plan folder, is compiled by the rules and by the
// plan's model, grounded (the invented path and command dropped), and waits for approval — the
// only request made is the compile itself.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { PlanStatus } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { expectValid, readJson } from "./support/files.ts";
import { identifyAgent } from "./support/scripted-api-usage.ts";
import { ScriptedApi } from "./support/scripted-api.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const PLAN_MD = `# Docs refresh

## Phase 1: Write
### Stream 1: Guides
**Owns**: \`docs/guides/\`

**Gate**:
\`\`\`bash
npm run lint:docs
\`\`\`
`;

test("a dropped single .md is compiled by the rules and the model, grounded, and waits for approval", async () => {
  const answer = {
    agents: [{ id: "guides", role: "Guides", territory: ["docs/guides/", "src/"] }],
    waves: [{ id: "write", agents: ["guides"], gate: [{ run: "npm run lint:docs" }, { run: "curl -X DELETE https://prod.test" }] }],
  };
  const api = ScriptedApi.start({
    scripts: { compiler: [{ reply: { content: [{ type: "tool_use", name: "submit_plan", input: answer }] } }] },
    identify: (body) => (body?.tools?.[0]?.name === "submit_plan" ? "compiler" : identifyAgent(body)),
  });
  cleanups.push(() => api.stop());
  const root = tempRoot({ git: true });
  const O = orchestrationDir(root);
  mkdirSync(join(O, "inbox"), { recursive: true });
  writeFileSync(join(O, "purple.yaml"), YAML.stringify({ defaults: { runner: "anthropic", model: "claude-sonnet-5-5" }, compile: { model: true } }));
  const d = new DaemonProcess(root, [], { ANTHROPIC_API_KEY: "sk-ant-test-model", ANTHROPIC_BASE_URL: api.url });
  cleanups.push(() => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();

  writeFileSync(join(O, "inbox", ".docs-refresh.md.partial"), PLAN_MD);
  const { renameSync } = await import("node:fs");
  renameSync(join(O, "inbox", ".docs-refresh.md.partial"), join(O, "inbox", "docs-refresh.md"));
  await d.waitFor((l) => l.msg === "plan accepted" && l.plan === "docs-refresh", "the compiled plan to be accepted", 30_000);
  const dir = join(O, "docs-refresh");
  expect(existsSync(join(dir, "docs-refresh.md"))).toBe(true);
  expect(expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json").state).toBe("awaiting-approval");
  const compiled = YAML.parse(readFileSync(join(dir, "plan.compiled.yaml"), "utf8"));
  expect(compiled.agents.map((a: any) => [a.id, a.territory])).toEqual([["guides", ["docs/guides/"]]]);
  expect(compiled.waves[0].gate).toEqual([{ run: "npm run lint:docs" }]);
  const report = readFileSync(join(dir, "intake-report.md"), "utf8");
  expect(report).toContain("territory `src/` of agent \"guides\": not in the plan's text");
  expect(report).toContain("command `curl -X DELETE https://prod.test` (wave \"write\"): not in the plan's text");
  expect(api.requests.map((r) => r.agent)).toEqual(["compiler"]); // nothing else ran before approval
}, 60_000);
