// purplectl validate --compile / --report and submit for a markdown plan folder, offline.
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { BUN, orchestrationDir, tempRoot } from "./support/daemon.ts";

const CTL = join(import.meta.dir, "..", "ctl", "main.ts");
const ctl = (cwd: string, ...args: string[]) => {
  const r = Bun.spawnSync([BUN, CTL, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
};

const PLAN_MD = `# Orchestration Plan: Tiny

## Wave 1: Build

### Agent 1: Builder
**Territory**: \`src/\`

### Validation
\`\`\`bash
npm test
\`\`\`
`;

test("validate --compile prints the canonical plan, --report the intake report; submit places the folder", () => {
  const root = tempRoot();
  mkdirSync(join(orchestrationDir(root), "inbox"), { recursive: true });
  writeFileSync(join(orchestrationDir(root), "purple.yaml"), YAML.stringify({ defaults: { runner: "command", maxAgents: 3 } }));
  const folder = join(root, "tiny-plan");
  mkdirSync(folder);
  writeFileSync(join(folder, "orchestration-plan.md"), PLAN_MD);

  const compiled = ctl(root, "validate", "--compile", "tiny-plan");
  expect(compiled.code).toBe(0);
  const plan = YAML.parse(compiled.out);
  expect(plan.name).toBe("tiny-plan");
  expect(plan.maxAgents).toBe(3); // from O/purple.yaml
  expect(plan.defaults.runner).toBe("command");
  expect(plan.agents.map((a: any) => [a.id, a.territory])).toEqual([["agent-1-builder", ["src/"]]]);
  expect(plan.waves[0].gate).toEqual([{ run: "npm test" }]);

  const report = ctl(root, "validate", "--report", "tiny-plan");
  expect(report.code).toBe(0);
  expect(report.out).toContain("# Intake report: tiny-plan");
  expect(report.out).toMatch(/orchestration-plan\.md:\d+/);

  const bare = ctl(root, "validate", "tiny-plan");
  expect(bare.code).toBe(2);
  expect(bare.err).toContain("--compile");

  const submitted = ctl(root, "submit", "tiny-plan");
  expect(submitted.code).toBe(0);
  expect(existsSync(join(orchestrationDir(root), "inbox", "tiny-plan", "orchestration-plan.md"))).toBe(true);
});
