// mayBeCompilable (inbox/compilers.ts) lets a YAML plan arrive without loading the markdown and
// Purple compilers: its "no" must be certain, so wherever it says no, compilableKind says null.
import { expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compilers, mayBeCompilable } from "../inbox/compilers.ts";
import { tempRoot } from "./inbox-fixtures.ts";

test("no for a YAML file and for folders with nothing a compiler reads; yes wherever compilableKind finds a kind", () => {
  const root = tempRoot();
  const make = (rel: string, files: Record<string, string>) => {
    const dir = join(root, rel);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  };
  const plan = "# Plan\n\n## Wave 1\n\n- Agent A: does things (src/a/)\n- Agent B: does more (src/b/)\n";
  const no = [
    join(make("yaml", { "p.yaml": "x: 1\n" }), "p.yaml"),
    make("empty", {}),
    make("run-files", { "plan.yaml": "x: 1\n", "status.json": "{}", "events.jsonl": "" }),
    join(root, "missing"),
  ];
  const yes = [
    join(make("single", { "plan.md": plan }), "plan.md"),
    make("markdown", { "orchestration-plan.md": plan }),
    make("named", { "roadmap.md": plan }),
    make("purple", { "agent-written-specifications/a.md": "# A\n" }),
    make("progress", { "progress.json": "{}" }),
    make("nested", { "docs/plan.md": plan }),
  ];
  for (const path of no) {
    expect(mayBeCompilable(path)).toBe(false);
    expect(compilers().compilableKind(path)).toBeNull();
  }
  for (const path of yes) expect(mayBeCompilable(path)).toBe(true);
  // the yes cases are real: compilableKind finds a kind in each of the folders made to be one
  for (const path of yes.filter((p) => !p.endsWith("nested"))) expect(compilers().compilableKind(path)).not.toBeNull();
});
