// purpled's idle collection (daemon/lifecycle/idle-gc.ts): once a plan ends, one collection follows
// the quiet moment after the last event.
import { expect, test } from "bun:test";
import { idleCollector } from "../daemon/lifecycle/idle-gc.ts";
import type { PlanEvent } from "../protocol/events.ts";

const ts = new Date().toISOString();
const state = (plan: string, to: "running" | "succeeded", seq: number): PlanEvent => ({ seq, ts, plan, type: "plan.state", from: null, to, reason: null });

test("a collection runs once after a plan ends and the events stop", async () => {
  const log: string[] = [];
  let collected!: () => void;
  const done = new Promise<void>((r) => (collected = r));
  const gc = idleCollector(30, () => {
    log.push("collect");
    collected();
  });
  gc.onEvent(state("a", "running", 1));
  gc.onEvent(state("b", "running", 1));
  log.push("b ends");
  gc.onEvent(state("b", "succeeded", 2));
  gc.onEvent(state("a", "running", 3)); // activity after the end postpones, never cancels
  await done;
  expect(log).toEqual(["b ends", "collect"]);
  gc.stop();
});
