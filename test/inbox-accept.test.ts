// acceptItem / rejectItem: placing a clean item, recognising a duplicate, refusing a name clash,
// and the rejected/NAME + NAME.error.json layout.
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { acceptItem, rejectItem } from "../inbox/accept.ts";
import { parsePlanText } from "../inbox/parse.ts";
import { orchestrationPaths } from "../inbox/paths.ts";
import { readInboxItem, sha256 } from "../inbox/read-item.ts";
import { minimalPlan, tempRoot, toYaml } from "./inbox-fixtures.ts";

function setup() {
  const paths = orchestrationPaths(tempRoot());
  mkdirSync(paths.inbox, { recursive: true });
  return paths;
}

async function judge(path: string) {
  const read = await readInboxItem(path);
  if (!read.ok) throw new Error(read.problems[0]!.message);
  const parsed = parsePlanText(read.text, read.format);
  if (!parsed.ok) throw new Error(parsed.problems[0]!.message);
  return { path, kind: read.kind, read, plan: parsed.plan };
}

test("an accepted YAML file becomes O/<name>/plan.yaml, byte for byte, and leaves the inbox", async () => {
  const paths = setup();
  const text = toYaml(minimalPlan());
  const item = join(paths.inbox, "mine.yaml");
  writeFileSync(item, text);
  const outcome = await acceptItem(paths, await judge(item));
  expect(outcome).toEqual({ kind: "accepted", name: "demo", dir: join(paths.orch, "demo"), hash: sha256(text) });
  expect(readFileSync(join(paths.orch, "demo", "plan.yaml"), "utf8")).toBe(text);
  expect(existsSync(item)).toBe(false);
});

test("an accepted JSON file is written as YAML", async () => {
  const paths = setup();
  const item = join(paths.inbox, "mine.json");
  writeFileSync(item, JSON.stringify(minimalPlan()));
  await acceptItem(paths, await judge(item));
  expect(YAML.parse(readFileSync(join(paths.orch, "demo", "plan.yaml"), "utf8"))).toEqual(minimalPlan());
});

test("the same content dropped twice is a duplicate: removed, nothing else", async () => {
  const paths = setup();
  const text = toYaml(minimalPlan());
  writeFileSync(join(paths.inbox, "one.yaml"), text);
  await acceptItem(paths, await judge(join(paths.inbox, "one.yaml")));
  writeFileSync(join(paths.inbox, "two.yaml"), text);
  const outcome = await acceptItem(paths, await judge(join(paths.inbox, "two.yaml")));
  expect(outcome.kind).toBe("duplicate");
  expect(existsSync(join(paths.inbox, "two.yaml"))).toBe(false);
  expect(existsSync(paths.rejected)).toBe(false);
});

test("other content under an existing plan name is rejected with PLAN_EXISTS", async () => {
  const paths = setup();
  writeFileSync(join(paths.inbox, "one.yaml"), toYaml(minimalPlan()));
  await acceptItem(paths, await judge(join(paths.inbox, "one.yaml")));
  writeFileSync(join(paths.inbox, "two.yaml"), toYaml(minimalPlan({ goal: "something else" })));
  const outcome = await acceptItem(paths, await judge(join(paths.inbox, "two.yaml")));
  expect(outcome).toMatchObject({ kind: "rejected", code: "PLAN_EXISTS", movedTo: join(paths.rejected, "two.yaml") });
  const errors = JSON.parse(readFileSync(join(paths.rejected, "two.yaml.error.json"), "utf8"));
  expect(errors).toEqual([{ path: "name", message: 'a plan named "demo" already exists; cancel it or choose another name' }]);
});

test("a plan may not be named inbox", async () => {
  const paths = setup();
  writeFileSync(join(paths.inbox, "x.yaml"), toYaml(minimalPlan({ name: "inbox" })));
  expect(await acceptItem(paths, await judge(join(paths.inbox, "x.yaml")))).toMatchObject({ kind: "rejected", code: "PLAN_INVALID" });
});

test("a dropped folder is moved whole to O/<name>/, its plan.json turned into plan.yaml", async () => {
  const paths = setup();
  const folder = join(paths.inbox, "feature");
  mkdirSync(join(folder, "integration-contracts"), { recursive: true });
  writeFileSync(join(folder, "plan.json"), JSON.stringify(minimalPlan()));
  writeFileSync(join(folder, "integration-contracts", "01.md"), "# contract\n");
  const outcome = await acceptItem(paths, await judge(folder));
  const dir = join(paths.orch, "demo");
  expect(outcome).toMatchObject({ kind: "accepted", dir });
  expect(existsSync(folder)).toBe(false);
  expect(readFileSync(join(dir, "integration-contracts", "01.md"), "utf8")).toBe("# contract\n");
  expect(YAML.parse(readFileSync(join(dir, "plan.yaml"), "utf8"))).toEqual(minimalPlan());
  expect(existsSync(join(dir, "plan.json"))).toBe(false);
});

test("rejected items never overwrite each other: NAME, NAME.1, NAME.2, each with NAME.error.json", () => {
  const paths = setup();
  const problems = [{ path: "agents.0", message: "bad" }];
  for (let i = 0; i < 3; i++) {
    writeFileSync(join(paths.inbox, "p.yaml"), `attempt ${i}`);
    rejectItem(paths, join(paths.inbox, "p.yaml"), problems);
  }
  for (const [name, i] of [["p.yaml", 0], ["p.yaml.1", 1], ["p.yaml.2", 2]] as const) {
    expect(readFileSync(join(paths.rejected, name), "utf8")).toBe(`attempt ${i}`);
    expect(JSON.parse(readFileSync(join(paths.rejected, `${name}.error.json`), "utf8"))).toEqual(problems);
  }
});

test("rejecting an item that vanished returns null", () => {
  expect(rejectItem(setup(), "/nonexistent/x.yaml", [])).toBeNull();
});
