// PlanWatcher on a temp root: drops are accepted once, duplicates dropped, bad items rejected with
// their problems, slow writers and editor droppings handled, rescans catch what events missed.
import { afterEach, expect, test } from "bun:test";
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { orchestrationPaths } from "../inbox/paths.ts";
import { sha256 } from "../inbox/read-item.ts";
import { PlanWatcher, type AcceptedPlan } from "../inbox/watcher.ts";
import { silentLogger } from "../lib/logger.ts";
import type { Problem } from "../protocol/errors.ts";
import { minimalPlan, tempRoot, toYaml, waitFor } from "./inbox-fixtures.ts";

const open: PlanWatcher[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

function makeWatcher(root: string, rescanMs = 60_000, known?: (name: string) => string | null) {
  const plans: AcceptedPlan[] = [];
  const rejected: { item: string; problems: Problem[] }[] = [];
  const watcher = new PlanWatcher({
    root,
    rescanMs,
    logger: silentLogger(),
    onPlan: (p) => plans.push(p),
    onRejected: (item, problems) => rejected.push({ item, problems }),
    ...(known ? { known } : {}),
  });
  open.push(watcher);
  const count = (name: string) => plans.filter((p) => p.name === name).length;
  return { watcher, plans, rejected, count, paths: orchestrationPaths(root) };
}

async function started(rescanMs?: number) {
  const w = makeWatcher(tempRoot(), rescanMs);
  await w.watcher.start();
  return w;
}

// A later, distinct plan whose acceptance proves that events queued before it were handled.
async function barrier(w: Awaited<ReturnType<typeof started>>, name: string) {
  writeFileSync(join(w.paths.inbox, `${name}.yaml`), toYaml(minimalPlan({ name })));
  await waitFor(() => w.count(name) === 1, `plan ${name}`);
  await w.watcher.rescan();
}

test("start creates O/inbox", async () => {
  const w = await started();
  expect(existsSync(w.paths.inbox)).toBe(true);
});

test("a valid plan dropped in the inbox ends as O/<name>/plan.yaml and onPlan fires once", async () => {
  const w = await started();
  const text = toYaml(minimalPlan());
  writeFileSync(join(w.paths.inbox, "demo.yaml"), text);
  await waitFor(() => w.plans.length === 1, "onPlan");
  const p = w.plans[0]!;
  expect(p).toMatchObject({ name: "demo", dir: join(w.paths.orch, "demo"), hash: sha256(text), source: join(w.paths.inbox, "demo.yaml") });
  expect(p.plan.agents.map((a) => a.id)).toEqual(["a", "b"]);
  expect(readFileSync(join(w.paths.orch, "demo", "plan.yaml"), "utf8")).toBe(text);
  expect(readdirSync(w.paths.inbox)).toEqual([]);
  await barrier(w, "later");
  expect(w.count("demo")).toBe(1);
}, 15000);

test("the same content dropped again gives no second onPlan and empties the inbox", async () => {
  const w = await started();
  const text = toYaml(minimalPlan());
  writeFileSync(join(w.paths.inbox, "demo.yaml"), text);
  await waitFor(() => w.count("demo") === 1, "first onPlan");
  writeFileSync(join(w.paths.inbox, "again.yaml"), text);
  await waitFor(() => !existsSync(join(w.paths.inbox, "again.yaml")), "the duplicate to leave the inbox");
  await barrier(w, "later");
  expect(w.count("demo")).toBe(1);
  expect(existsSync(w.paths.rejected)).toBe(false);
}, 15000);

test("an invalid plan goes to rejected/NAME with NAME.error.json listing every problem", async () => {
  const w = await started();
  const bad = minimalPlan({ waves: [{ id: "w1", agents: ["a", "b", "ghost"] }] });
  (bad as Record<string, unknown>).surprise = true;
  writeFileSync(join(w.paths.inbox, "bad.yaml"), toYaml(bad));
  const errorFile = join(w.paths.rejected, "bad.yaml.error.json");
  await waitFor(() => existsSync(errorFile), "the error file");
  expect(existsSync(join(w.paths.rejected, "bad.yaml"))).toBe(true);
  const errors = JSON.parse(readFileSync(errorFile, "utf8"));
  expect(errors).toEqual(
    expect.arrayContaining([
      { path: "surprise", message: 'unknown key "surprise"' },
      { path: "waves.0.agents.2", message: expect.stringContaining("ghost") },
    ]),
  );
  for (const e of errors) expect(Object.keys(e).sort()).toEqual(["message", "path"]);
  expect(w.rejected.map((r) => r.item)).toEqual([join(w.paths.inbox, "bad.yaml")]);
  expect(w.plans).toEqual([]);
}, 15000);

test("a slowly written file is processed once, complete", async () => {
  const w = await started();
  const text = toYaml(minimalPlan({ goal: "x".repeat(2000) }));
  const file = join(w.paths.inbox, "slow.yaml");
  const size = Math.ceil(text.length / 5);
  for (let i = 0; i < 5; i++) {
    appendFileSync(file, text.slice(i * size, (i + 1) * size));
    await Bun.sleep(100); // the slow writer itself, not synchronisation
  }
  await waitFor(() => w.plans.length === 1, "onPlan");
  expect(w.plans[0]!.hash).toBe(sha256(text));
  expect(w.rejected).toEqual([]);
  await barrier(w, "later");
  expect(w.count("demo")).toBe(1);
}, 15000);

test("dotfiles, temp, swap and backup files are ignored", async () => {
  const w = await started();
  const droppings = [".hidden.yaml", "x.yaml.swp", ".x.yaml.swp", "x.tmp", "4913", "#x.yaml#", "x.yaml~", "x.yaml.crdownload", "x.part"];
  for (const name of droppings) writeFileSync(join(w.paths.inbox, name), "not: [a plan");
  await barrier(w, "later");
  expect(readdirSync(w.paths.inbox).sort()).toEqual([...droppings].sort());
  expect(w.rejected).toEqual([]);
  expect(existsSync(w.paths.rejected)).toBe(false);
}, 15000);

test("start() processes what arrived while no watcher ran; rescan() works without events", async () => {
  const root = tempRoot();
  const first = makeWatcher(root);
  await first.watcher.start();
  await first.watcher.close();
  writeFileSync(join(first.paths.inbox, "demo.yaml"), toYaml(minimalPlan()));
  const second = makeWatcher(root);
  await second.watcher.start();
  expect(second.count("demo")).toBe(1);
  const third = makeWatcher(tempRoot()); // never started: no chokidar at all
  mkdirSync(third.paths.inbox, { recursive: true });
  writeFileSync(join(third.paths.inbox, "demo.yaml"), toYaml(minimalPlan()));
  await third.watcher.rescan();
  expect(third.count("demo")).toBe(1);
  expect(existsSync(join(third.paths.orch, "demo", "plan.yaml"))).toBe(true);
}, 15000);

test("a plan.yaml placed directly in O/<name>/ is reported; changed content is reported again", async () => {
  const w = await started();
  const dir = join(w.paths.orch, "demo");
  mkdirSync(dir);
  writeFileSync(join(dir, "plan.yaml"), toYaml(minimalPlan()));
  await waitFor(() => w.count("demo") === 1, "onPlan");
  expect(w.plans[0]!.source).toBe(join(dir, "plan.yaml"));
  writeFileSync(join(dir, "plan.yaml"), toYaml(minimalPlan({ goal: "changed" })));
  await waitFor(() => w.count("demo") === 2, "the changed plan");
  expect(w.plans[1]!.plan.goal).toBe("changed");
}, 15000);

test("an invalid or misnamed plan.yaml in O/<name>/ gets plan.error.json; fixing it clears that", async () => {
  const w = await started();
  const dir = join(w.paths.orch, "demo");
  mkdirSync(dir);
  writeFileSync(join(dir, "plan.yaml"), toYaml(minimalPlan({ name: "other" })));
  const errorFile = join(dir, "plan.error.json");
  await waitFor(() => existsSync(errorFile), "plan.error.json");
  expect(JSON.parse(readFileSync(errorFile, "utf8"))).toEqual([{ path: "name", message: expect.stringContaining('its folder is "demo"') }]);
  expect(existsSync(join(dir, "plan.yaml"))).toBe(true);
  writeFileSync(join(dir, "plan.yaml"), toYaml(minimalPlan()));
  await waitFor(() => w.count("demo") === 1, "onPlan after the fix");
  expect(existsSync(errorFile)).toBe(false);
}, 15000);

test("a dropped plan folder is moved to O/<name>/ and reported once", async () => {
  const w = await started();
  const src = join(tempRoot(), "feature");
  mkdirSync(src);
  writeFileSync(join(src, "plan.yaml"), toYaml(minimalPlan()));
  writeFileSync(join(src, "notes.md"), "notes\n");
  cpSync(src, join(w.paths.inbox, "feature"), { recursive: true });
  await waitFor(() => w.count("demo") === 1, "onPlan");
  expect(readFileSync(join(w.paths.orch, "demo", "notes.md"), "utf8")).toBe("notes\n");
  expect(existsSync(join(w.paths.inbox, "feature"))).toBe(false);
  await barrier(w, "later");
  expect(w.count("demo")).toBe(1);
}, 15000);

test("a symlink, a FIFO and a newline in a name are rejected with a reason; the watcher keeps serving", async () => {
  const w = await started();
  const elsewhere = join(tempRoot(), "real.yaml");
  writeFileSync(elsewhere, toYaml(minimalPlan()));
  symlinkSync(elsewhere, join(w.paths.inbox, "link.yaml"));
  expect(Bun.spawnSync(["mkfifo", join(w.paths.inbox, "pipe.yaml")]).exitCode).toBe(0);
  writeFileSync(join(w.paths.inbox, "new\nline.yaml"), toYaml(minimalPlan({ name: "nl" })));
  await waitFor(() => w.rejected.length === 3, "three rejections");
  const files = readdirSync(w.paths.rejected).sort();
  expect(files).toEqual(["link.yaml", "link.yaml.error.json", "new_line.yaml", "new_line.yaml.error.json", "pipe.yaml", "pipe.yaml.error.json"]);
  await barrier(w, "later");
}, 15000);

test("50 plans copied in at once are each reported exactly once", async () => {
  const w = await started();
  const staging = tempRoot();
  for (let i = 0; i < 50; i++) writeFileSync(join(staging, `p${i}.yaml`), toYaml(minimalPlan({ name: `plan-${i}` })));
  for (let i = 0; i < 50; i++) cpSync(join(staging, `p${i}.yaml`), join(w.paths.inbox, `p${i}.yaml`));
  await waitFor(() => w.plans.length >= 50, "50 plans", 12000);
  await w.watcher.rescan();
  expect(new Set(w.plans.map((p) => p.name)).size).toBe(50);
  expect(w.plans.length).toBe(50);
}, 20000);

test("the orchestration directory deleted and recreated: plans are picked up again", async () => {
  const w = await started(200);
  rmSync(w.paths.orch, { recursive: true, force: true });
  mkdirSync(w.paths.inbox, { recursive: true });
  writeFileSync(join(w.paths.inbox, "demo.yaml"), toYaml(minimalPlan()));
  await waitFor(() => w.count("demo") === 1, "onPlan after the recreate");
  await barrier(w, "later");
}, 15000);

test("O/<name>/plan.yaml placed by plan.submit (the daemon already holds that content) is not judged and reported again; other content is", async () => {
  const held = new Map<string, string>();
  const w = makeWatcher(tempRoot(), 60_000, (name) => held.get(name) ?? null);
  await w.watcher.start();
  const place = (name: string) => {
    const text = toYaml(minimalPlan({ name }));
    mkdirSync(join(w.paths.orch, name), { recursive: true });
    writeFileSync(join(w.paths.orch, name, "plan.yaml"), text);
    return sha256(text);
  };
  held.set("submitted", sha256(toYaml(minimalPlan({ name: "submitted" }))));
  place("submitted");
  held.set("edited", "the hash of what the daemon held before a person edited the file");
  place("edited");
  await barrier(w, "after");
  await waitFor(() => w.count("edited") === 1, "the edited plan reported");
  expect(w.count("submitted")).toBe(0);
});
