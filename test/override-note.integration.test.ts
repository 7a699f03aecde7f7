// A person's ways past a stuck plan, through the real purpled and purplectl: `approve PLAN
// --override WAVE#N` passes a blocked gate's failing check by decision (recorded in the validation
// file and the plan's events), and `retry PLAN AGENT --note TEXT` puts the note in the agent's prompt.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { DaemonInfo, ValidationResult, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, purplectl, tempRoot } from "./support/daemon.ts";
import { expectValid, readJson } from "./support/files.ts";

const daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
});

async function startDaemon(root: string): Promise<{ d: DaemonProcess; socket: string }> {
  const d = new DaemonProcess(root, []);
  daemons.push(d);
  await d.started();
  return { d, socket: expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json").socket };
}


const endedAs = (d: DaemonProcess, plan: string, state: string) => d.waitFor((l) => l.msg === "plan ended" && l.plan === plan && l.state === state, `plan ${plan} ${state}`);

function submitFile(plan: PlanInput): string {
  const path = join(mkdtempSync(join(tmpdir(), "purple-override-")), `${plan.name}.yaml`);
  writeFileSync(path, YAML.stringify(plan));
  return path;
}

test("a gate blocked by a failing check goes on after `approve --override`, and the override is recorded", async () => {
  const root = tempRoot({ git: true });
  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name: "gated",
    defaults: { runner: "command", retries: 0 },
    repair: { rounds: 0 }, // blocked at once: this is about the override (repair.integration.test.ts trips the breaker first)
    agents: [
      { id: "a", territory: ["out/a/"], runner: { kind: "command", command: ["bash", "-c", "mkdir -p out/a && echo a > out/a/x"] } },
      { id: "b", territory: ["out/b/"], runner: { kind: "command", command: ["bash", "-c", "mkdir -p out/b && echo b > out/b/x"] } },
    ],
    waves: [
      { id: "w1", agents: ["a"], gate: [{ exists: "out/a/x" }, { run: "exit 4" }] },
      { id: "w2", agents: ["b"] },
    ],
  };
  const { d, socket } = await startDaemon(root);
  expect((await purplectl(socket, "submit", submitFile(plan))).code).toBe(0);
  await endedAs(d, "gated", "blocked");
  const dir = join(orchestrationDir(root), "gated");
  expect(readFileSync(join(root, "out/a/x"), "utf8")).toBe("a\n");

  const wrong = await purplectl(socket, "approve", "gated", "--override", "w1#9");
  expect(wrong.code).toBe(1);
  expect(wrong.err).toContain("no gate check w1#9");

  const r = await purplectl(socket, "approve", "gated", "--override", "w1#1");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  await endedAs(d, "gated", "succeeded");
  const gate = expectValid(ValidationResult, readJson(join(dir, "validation", "w1.json")), "validation/w1.json");
  expect(gate.passed).toBe(true);
  expect(gate.checks.map((c) => [c.kind, c.passed, c.overridden ?? false])).toEqual([["exists", true, false], ["run", true, true]]);
  const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  expect(events.some((e) => JSON.stringify(e).includes("w1#1") && JSON.stringify(e).includes("override"))).toBe(true);
  expect(readFileSync(join(root, "out/b/x"), "utf8")).toBe("b\n");
}, 60_000);

test("`retry PLAN AGENT --note TEXT` runs the agent again with the note in its prompt", async () => {
  const root = tempRoot({ git: true });
  // the agent succeeds only when its prompt carries the person's note
  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name: "noted",
    defaults: { runner: "command", retries: 0 },
    agents: [{ id: "a", territory: ["out/"], runner: { kind: "command", command: ["bash", "-c", 'grep -q "use the blue widget" "$PURPLE_PROMPT_FILE" || exit 3; mkdir -p out && echo ok > out/a'] } }],
    waves: [{ id: "w", agents: ["a"] }],
  };
  const { d, socket } = await startDaemon(root);
  expect((await purplectl(socket, "submit", submitFile(plan))).code).toBe(0);
  await endedAs(d, "noted", "failed");
  const r = await purplectl(socket, "retry", "noted", "a", "--note", "use the blue widget");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  await endedAs(d, "noted", "succeeded");
  expect(readFileSync(join(root, "out/a"), "utf8")).toBe("ok\n");
  expect(readFileSync(join(orchestrationDir(root), "noted", "agents", "a", "prompt.md"), "utf8")).toContain("use the blue widget");
}, 60_000);
