// Issue 12 on real plans: every corpus plan in ../shared/corpus/context-kit compiles with checks
// on each contract that has a spec (its stated checks and a judge), and no gate command that needs
// a person is left as an unattended `run` check. Skips when the corpus is absent.
import { expect, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { checkPlan } from "../inbox/check-plan.ts";
import { compileMarkdownPlan, readMarkdownFolder } from "../inbox/markdown/compile.ts";
import { needsPerson } from "../inbox/markdown/unattended.ts";
import { Plan } from "../protocol/plan.ts";

const corpus = join(import.meta.dir, "..", "..", "shared", "corpus", "context-kit");
const present = existsSync(corpus);

test.skipIf(!present)("every context-kit plan: checks on each contract with a spec, no unattended command that needs a person", () => {
  let deterministic = 0;
  let contracts = 0;
  for (const name of readdirSync(corpus).sort()) {
    const dir = join(corpus, name);
    if (!statSync(dir).isDirectory()) continue;
    const r = compileMarkdownPlan(readMarkdownFolder(dir), { name, defaults: { runner: "anthropic" } });
    const plan = Plan.parse(r.plan);
    expect(checkPlan(plan)).toEqual([]);
    for (const c of plan.contracts) {
      if (!c.spec) continue;
      contracts++;
      expect(c.checks.filter((k) => "judge" in k)).toHaveLength(1);
      deterministic += c.checks.filter((k) => !("judge" in k)).length;
    }
    for (const w of plan.waves)
      for (const g of w.gate) {
        if (!("run" in g)) continue;
        const command = typeof g.run === "string" ? g.run : g.run.command;
        expect({ plan: name, command, needsPerson: needsPerson(command) }).toEqual({ plan: name, command, needsPerson: null });
      }
  }
  expect(contracts).toBeGreaterThan(20);
  // The specs show signatures and files: a good share of contracts get deterministic checks too.
  expect(deterministic).toBeGreaterThan(contracts);
}, 60_000); // compiles 13 real plans: generous under a loaded CI machine

test("commands that need a person are recognised; ordinary checks are not", () => {
  for (const c of ["npm run dev", "open page.html", "curl http://localhost:8002/documents/{test_doc_id}", "lighthouse http://example.test", "uvicorn api.main:app --port 8002 &", "pytest -k <your-test>", "python -m http.server 8000"])
    expect({ c, why: needsPerson(c) !== null }).toEqual({ c, why: true });
  for (const c of ["npm test", "pytest tests/ -v", "npm run build", "ls src/{a,b}.ts", "echo ${HOME}", "sort < input.txt", "curl -sf https://example.test/health"])
    expect({ c, why: needsPerson(c) }).toEqual({ c, why: null });
});
