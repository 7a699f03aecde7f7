// Pick-up without write settling: an item renamed into the inbox is read at once (its arrival is
// "renamed"), while one written in place in pieces is still waited out and read complete, even when
// every piece ends a line and each prefix is itself a valid plan.
import { afterEach, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openArrivalProbe, type ArrivalProbe } from "../inbox/arrivals.ts";
import { orchestrationPaths } from "../inbox/paths.ts";
import { sha256 } from "../inbox/read-item.ts";
import { PlanWatcher, type AcceptedPlan } from "../inbox/watcher.ts";
import { silentLogger } from "../lib/logger.ts";
import type { Problem } from "../protocol/errors.ts";
import { minimalPlan, tempRoot, toYaml, waitFor } from "./inbox-fixtures.ts";

const linux = process.platform === "linux";
const open: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

async function started() {
  const root = tempRoot();
  const plans: AcceptedPlan[] = [];
  const rejected: { item: string; problems: Problem[] }[] = [];
  const watcher = new PlanWatcher({ root, rescanMs: 60_000, logger: silentLogger(), onPlan: (p) => plans.push(p), onRejected: (item, problems) => rejected.push({ item, problems }) });
  open.push(watcher);
  await watcher.start();
  return { watcher, plans, rejected, paths: orchestrationPaths(root) };
}

test.skipIf(!linux)("the probe tells a file renamed in from one written in place, and forgets what it told", async () => {
  const dir = tempRoot();
  const inbox = join(dir, "inbox");
  mkdirSync(inbox);
  const probe: ArrivalProbe = await openArrivalProbe(inbox);
  open.push(probe);
  writeFileSync(join(dir, "outside.yaml"), "x: 1\n");
  renameSync(join(dir, "outside.yaml"), join(inbox, "moved.yaml"));
  writeFileSync(join(inbox, "written.yaml"), "x: 1\n");
  writeFileSync(join(dir, "later.yaml"), "x: 1\n");
  renameSync(join(dir, "later.yaml"), join(inbox, "appended.yaml"));
  appendFileSync(join(inbox, "appended.yaml"), "y: 2\n"); // written after the rename: no longer whole
  expect(probe.take("moved.yaml")).toBe("renamed");
  expect(probe.take("written.yaml")).toBe("written");
  expect(probe.take("appended.yaml")).toBe("written");
  expect(probe.take("moved.yaml")).toBe("unknown");
  expect(probe.take("never.yaml")).toBe("unknown");
});

test.skipIf(!linux)("a plan renamed into the inbox is picked up as renamed, complete", async () => {
  const w = await started();
  const text = toYaml(minimalPlan({ name: "dropped" }));
  const staging = join(w.paths.orch, "staging.yaml"); // outside the inbox, as `mv ~/plan.yaml` would be
  writeFileSync(staging, text);
  renameSync(staging, join(w.paths.inbox, "dropped.yaml"));
  await waitFor(() => w.plans.length === 1, "onPlan");
  expect(w.plans[0]).toMatchObject({ name: "dropped", hash: sha256(text), arrival: "renamed" });
}, 15000);

test("a plan written in place in line-sized pieces, each prefix a valid plan, is read only when complete", async () => {
  const w = await started();
  const head = toYaml(minimalPlan({ name: "pieces" }));
  const pieces = [head, ...Array.from({ length: 4 }, (_, i) => `# piece ${i + 2}\n`)];
  const file = join(w.paths.inbox, "pieces.yaml");
  for (const piece of pieces) {
    appendFileSync(file, piece);
    await Bun.sleep(100); // the slow writer's own pace, not synchronisation
  }
  await waitFor(() => w.plans.length === 1, "onPlan");
  expect(w.plans[0]!.hash).toBe(sha256(pieces.join("")));
  expect(w.plans[0]!.arrival).not.toBe("renamed");
  expect(w.rejected).toEqual([]);
}, 15000);
