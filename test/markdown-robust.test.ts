// The markdown compiler never throws and stays fast on odd input (empty, binary-ish, thousands of
// headings, unclosed fences), its intake report names every item with file:line, and every real
// plan of the corpus (when present) compiles to a plan that loads.
import { expect, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { checkPlan } from "../inbox/check-plan.ts";
import { compileMarkdownPlan, readMarkdownFolder } from "../inbox/markdown/compile.ts";
import { renderIntakeReport } from "../inbox/markdown/report.ts";
import { Plan } from "../protocol/plan.ts";

const opts = { name: "odd", defaults: { runner: "anthropic" as const } };

test("odd input never throws", () => {
  let binary = "";
  for (let k = 0; k < 5000; k++) binary += String.fromCharCode((k * 7919) % 65536);
  const inputs = [
    "",
    "\u0000\u0001\u0002\uFFFF",
    binary,
    "#",
    "```bash\nnever closed\n## Wave 1\n",
    "| a | b |\n|---|---|\n",
    "## Wave\n### Agent\n**Territory**:\n- ``\n- `/`\n- `..`\n",
    "- ".repeat(10000),
    "   ".repeat(2000) + "- deep",
    "**".repeat(3000),
    "`".repeat(3001),
  ];
  for (const text of inputs) {
    const r = compileMarkdownPlan({ "orchestration-plan.md": text, "agent-assignments.md": text, "validation-strategy.md": text, "integration-contracts/x.md": text }, opts);
    expect(r.plan.apiVersion).toBe("purple/v1");
    expect(Array.isArray(r.items)).toBe(true);
    expect(() => renderIntakeReport("odd", r)).not.toThrow();
  }
});

test("thousands of wave and agent headings compile into a plan that loads", () => {
  const parts: string[] = ["# Huge"];
  for (let w = 1; w <= 300; w++) {
    parts.push(`## Wave ${w}: Step ${w}`);
    for (let a = 1; a <= 10; a++) parts.push(`### Agent ${w}-${a}: Worker ${w} ${a}`, `**Territory**: \`src/w${w}/a${a}/\``, "**Tasks**:", "1. Do it", "");
  }
  // Speed is a bench figure (bench/corpus-score.ts prints each compile's time); here: it finishes and loads.
  const r = compileMarkdownPlan({ "orchestration-plan.md": parts.join("\n") }, opts);
  expect(r.plan.waves).toHaveLength(300);
  expect(r.plan.agents).toHaveLength(3000);
  const parsed = Plan.parse(r.plan);
  expect(checkPlan(parsed)).toEqual([]);
}, 60_000); // 3000 agents: generous under a loaded machine

test("the intake report summarises the plan and names every item with file:line", () => {
  const r = compileMarkdownPlan(
    {
      "orchestration-plan.md": `# Small

## Wave 1: One
### Agent 1: Maker
**Territory**: \`src/\`, \`../nope/\`
**Validation**:
- [ ] Works: \`npm test\`

## Wave 2: Two (orchestrator only)
`,
    },
    opts,
  );
  const report = renderIntakeReport("small", r);
  expect(report).toContain("# Intake report: small");
  expect(report).toMatch(/2 wave\(s\), 1 agent\(s\)/);
  // wave 2 is the orchestrator's: a gate-only wave whose one check waits for a person, no agent invented
  expect(report).toContain("| wave-2 | Two | none (gate only) | 0 path(s) | 0 run, 1 manual |");
  for (const kind of ["inferred", "ambiguous", "not-understood"] as const) expect(r.items.some((i) => i.kind === kind)).toBe(true);
  for (const item of r.items) expect(report).toContain(`\`${item.file}:${item.line}\` ${item.message}`);
  expect(report).toContain("wave 1 gate: run `npm test`");
});

const corpus = join(import.meta.dir, "..", "..", "shared", "corpus", "context-kit");

test.skipIf(!existsSync(corpus))("every corpus plan folder compiles to a plan that loads", () => {
  const folders = readdirSync(corpus).filter((n) => statSync(join(corpus, n)).isDirectory());
  expect(folders.length).toBeGreaterThan(0);
  for (const name of folders) {
    const files = readMarkdownFolder(join(corpus, name));
    const r = compileMarkdownPlan(files, { name, defaults: { runner: "anthropic" } });
    const parsed = Plan.safeParse(r.plan);
    if (!parsed.success) throw new Error(`${name}: ${JSON.stringify(parsed.error.issues.slice(0, 3))}`);
    expect({ name, problems: checkPlan(parsed.data) }).toEqual({ name, problems: [] });
    expect(r.plan.agents.length).toBeGreaterThan(0);
    expect(r.items.filter((i) => i.kind === "not-understood" && /compiled plan|compiler failed/.test(i.message))).toEqual([]);
  }
}, 60_000); // compiles every corpus plan: generous under a loaded machine
