// Repair rounds and the circuit breaker (issue 12, SPEC §4 `repair:`) on the real purpled, with
// anthropic agents against the scripted Messages-API server: a contract its owner breaks is
// repaired in one round with the failure in the owner's prompt; a failing judge check is repaired;
// a gate that keeps failing trips the breaker, `purplectl status` says what failed and what to do,
// and `approve --override` lets the plan go on; a person's `retry --note` after a gate failure
// reaches the agent's prompt. What each agent was sent is read from the server's recorded requests.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlanStatus, ValidationResult, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, purplectl, tempRoot } from "./support/daemon.ts";
import { daemonWithApi } from "./support/daemon-with-api.ts";
import { dropPlan, expectValid, readEvents, readJson } from "./support/files.ts";
import type { ScriptedApi, ScriptStep } from "./support/scripted-api.ts";

const KEY = "sk-ant-test-repair";
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const call = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });
/** One attempt of an anthropic agent: write a file, finish. */
const attempt = (path: string, content: string): ScriptStep[] => [call("write_file", { path, content }), call("finish", { summary: `wrote ${path}` })];
const verdict = (pass: boolean, reasons: string[], files: string[] = []): ScriptStep => call("verdict", { pass, reasons, files });

const setup = (scripts: Record<string, ScriptStep[]>) => daemonWithApi(KEY, scripts, cleanups);

function plan(name: string, agents: PlanInput["agents"], gate: PlanInput["waves"][number]["gate"], extra: Partial<PlanInput> = {}): PlanInput {
  return {
    apiVersion: "purple/v1",
    name,
    defaults: { runner: "anthropic", retries: 0, model: "claude-sonnet-4-5" },
    agents,
    waves: [{ id: "w1", agents: agents.map((a) => a.id), gate }],
    ...extra,
  };
}

const endedAs = (d: DaemonProcess, name: string, state: string) => d.waitFor((l) => l.msg === "plan ended" && l.plan === name && l.state === state, `plan ${name} ${state}`, 60_000);
const validation = (dir: string, file: string) => expectValid(ValidationResult, readJson(join(dir, "validation", file)), file);
/** Everything an agent was sent, request by request, as text. */
const sent = (api: ScriptedApi, agent: string) => api.requests.filter((r) => r.agent === agent).map((r) => r.raw);

test("a contract its owner first breaks: one repair round with the failure in the owner's prompt, then the check passes and the plan succeeds", async () => {
  const { api, root, d } = await setup({
    api: [...attempt("src/api.ts", "export function other() {}\n"), ...attempt("src/api.ts", "export function makeApi() {}\n")],
  });
  const p = plan("contracted", [{ id: "api", role: "writes the api", territory: ["src/"] }], [{ contract: "api-shape" }], {
    contracts: [{ id: "api-shape", owner: "api", consumers: [], checks: [{ exports: { file: "src/api.ts", names: ["makeApi"] } }] }],
  });
  const dir = dropPlan(root, p);
  expect((await endedAs(d, "contracted", "succeeded")).state).toBe("succeeded");
  expect(readFileSync(join(root, "src/api.ts"), "utf8")).toContain("makeApi");

  // the owner's second attempt was told which check failed and what it said; its first was not
  const requests = sent(api, "api");
  expect(requests.length).toBe(4);
  expect(requests[0]).not.toContain("Repair round");
  expect(requests[2]).toContain("Repair round 1 of 2: contract api-shape, which you own, failed");
  expect(requests[2]).toContain("exports check api-shape#0 (src/api.ts exports makeApi) failed");
  expect(requests[2]).toContain("not exported: makeApi");

  // both rounds in the contract's validation file
  const contract = validation(dir, join("contracts", "api-shape.json"));
  expect(contract).toMatchObject({ passed: true, round: 1 });
  expect(contract.earlier?.map((r) => [r.round, r.passed, r.checks[0]!.output])).toEqual([[0, false, "not exported: makeApi"]]);
  const events = readEvents(dir);
  expect(events.filter((e) => e.type === "repair.round")).toMatchObject([{ subject: "contract:api-shape", round: 1, of: 2, agents: ["api"], checks: ["api-shape#0"] }]);
  expect(readFileSync(join(dir, "status-log.md"), "utf8")).toMatch(/\] contract:api-shape REPAIRING repair round 1 of 2: api-shape#0 failed; api run again/);
  expect(validation(dir, "w1.json").passed).toBe(true);
}, 90_000);

test("a judge check that fails, a repair round, then it passes: both verdicts and their usage in the validation file", async () => {
  const { api, root, d } = await setup({
    writer: [...attempt("src/greet.ts", "export const greet = (n: string) => `hi ${n}`;\n"), ...attempt("src/greet.ts", "/** Greets n. */\nexport const greet = (n: string) => `hi ${n}`;\n")],
    "gate-w1": [verdict(false, ["greet has no doc comment"], ["src/greet.ts"]), verdict(true, ["greet is documented"], ["src/greet.ts"])],
  });
  const agents: PlanInput["agents"] = [
    { id: "writer", role: "writes greet", territory: ["src/"] },
    { id: "other", territory: ["docs/"], runner: { kind: "command", command: ["bash", "-c", "mkdir -p docs && echo x >> docs/ran.txt"] } },
  ];
  const dir = dropPlan(root, plan("judged", agents, [{ judge: "greet has a doc comment" }]));
  expect((await endedAs(d, "judged", "succeeded")).state).toBe("succeeded");

  // the verdict named src/greet.ts: only the agent whose territory holds it ran again
  expect(readFileSync(join(root, "docs/ran.txt"), "utf8")).toBe("x\n");
  const requests = sent(api, "writer");
  expect(requests.length).toBe(4);
  expect(requests[2]).toContain("Repair round 1 of 2: the gate of wave w1 failed");
  expect(requests[2]).toContain("greet has no doc comment");

  const gate = validation(dir, "w1.json");
  expect(gate).toMatchObject({ passed: true, round: 1 });
  expect(gate.checks[0]).toMatchObject({ kind: "judge", passed: true, verdict: { pass: true, reasons: ["greet is documented"] } });
  expect(gate.checks[0]!.usage!.costUsd).toBeGreaterThan(0);
  expect(gate.earlier).toHaveLength(1);
  expect(gate.earlier![0]!.checks[0]).toMatchObject({ kind: "judge", passed: false, verdict: { pass: false, reasons: ["greet has no doc comment"], files: ["src/greet.ts"] } });
  expect(gate.earlier![0]!.checks[0]!.usage!.outputTokens).toBeGreaterThan(0);
  // both verdicts' usage counts toward the plan's cost
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.usage.costUsd).toBeGreaterThan(gate.checks[0]!.usage!.costUsd + gate.earlier![0]!.checks[0]!.usage!.costUsd);
  expect(readEvents(dir).filter((e) => e.type === "repair.round")).toMatchObject([{ subject: "gate:w1", round: 1, agents: ["writer"] }]);
}, 90_000);

test("a gate that keeps failing trips the circuit breaker; `purplectl status` shows the check, its output and the next steps; `approve --override` lets the plan go on", async () => {
  const { api, root, d, socket } = await setup({
    // each attempt writes another state: the gate fails differently each round, until the rounds are spent
    tries: [...attempt("src/state.txt", "try 1\n"), ...attempt("src/state.txt", "try 2\n"), ...attempt("src/state.txt", "try 3\n")],
    // the same output every round: the breaker trips after the first round
    same: [...attempt("lib/state.txt", "stuck\n"), ...attempt("lib/state.txt", "stuck\n")],
  });
  const spent = plan("spent", [{ id: "tries", territory: ["src/"] }], [{ exists: "src/state.txt" }, { run: "cat src/state.txt; exit 3" }], { repair: { rounds: 2 } });
  const same = plan("same", [{ id: "same", territory: ["lib/"] }], [{ run: "cat lib/state.txt; exit 3" }], { repair: { rounds: 3 } });
  const dir = dropPlan(root, spent);
  const sameDir = dropPlan(root, same);
  await endedAs(d, "spent", "blocked");
  await endedAs(d, "same", "blocked");

  expect(sent(api, "tries").length).toBe(6); // the first attempt and two repair rounds
  expect(sent(api, "tries")[4]).toContain("Repair round 2 of 2");
  expect(sent(api, "tries")[4]).toContain("try 2");
  expect(sent(api, "same").length).toBe(4); // one round, failing exactly as before
  const sameStatus = expectValid(PlanStatus, readJson(join(sameDir, "status.json")), "status.json");
  expect(sameStatus.failure?.breaker).toBe("circuit breaker: repair round 1 failed exactly as the failure before it");

  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.state).toBe("blocked");
  expect(status.failure).toMatchObject({ kind: "gate", subject: "w1", failedChecks: ["w1#1"], breaker: "circuit breaker: 2 repair rounds spent" });
  expect(status.failure!.outputTail).toContain("try 3");
  expect(status.failure!.nextSteps).toHaveLength(3);

  const shown = await purplectl(socket, "status", "spent");
  expect(shown.out).toContain("gate of wave w1 failed: run cat src/state.txt; exit 3; circuit breaker: 2 repair rounds spent");
  expect(shown.out).toContain("| try 3");
  expect(shown.out).toContain("purplectl resume spent");
  expect(shown.out).toContain('purplectl retry spent tries --note "..."');
  expect(shown.out).toContain("purplectl approve spent --override w1#1");
  const log = readFileSync(join(dir, "status-log.md"), "utf8");
  expect(log.match(/ REPAIRING /g)?.length).toBe(2);

  const r = await purplectl(socket, "approve", "spent", "--override", "w1#1");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  await endedAs(d, "spent", "succeeded");
  const gate = validation(dir, "w1.json");
  expect(gate.checks.map((c) => [c.kind, c.passed, c.overridden ?? false])).toEqual([["exists", true, false], ["run", true, true]]);
  expect(gate.earlier?.map((e) => [e.round, e.passed])).toEqual([[0, false], [1, false], [2, false]]);
  expect(readEvents(dir).some((e) => e.type === "plan.state" && e.to === "running" && (e.reason ?? "").includes("w1#1") && (e.reason ?? "").includes("override"))).toBe(true);
}, 120_000);

test("an agent retried after its gate failed runs with the person's note in its prompt; the gate then passes", async () => {
  const { api, root, d, socket } = await setup({
    fixer: [...attempt("src/x.txt", "broken\n"), ...attempt("src/x.txt", "fixed\n")],
  });
  const dir = dropPlan(root, plan("noted", [{ id: "fixer", territory: ["src/"] }], [{ run: "grep -q fixed src/x.txt" }], { repair: { rounds: 0 } }));
  await endedAs(d, "noted", "blocked");
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.failure?.breaker).toBe("circuit breaker: no repair rounds (repair.rounds is 0)");

  const r = await purplectl(socket, "retry", "noted", "fixer", "--note", "the gate greps for the word fixed");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  await endedAs(d, "noted", "succeeded");
  const requests = sent(api, "fixer");
  expect(requests.length).toBe(4);
  expect(requests[0]).not.toContain("the gate greps for the word fixed");
  expect(requests[2]).toContain("A person retried you after an earlier attempt, and said:");
  expect(requests[2]).toContain("the gate greps for the word fixed");
  expect(validation(dir, "w1.json")).toMatchObject({ passed: true, earlier: [{ passed: false }] });
}, 90_000);

test("a contract its breaker blocked: status names its check and the ways on; `approve --override` passes it without running the owner again", async () => {
  const { api, root, d, socket } = await setup({ api: attempt("src/api.ts", "export function other() {}\n") });
  const p = plan("pinned", [{ id: "api", territory: ["src/"] }], [], {
    repair: { rounds: 0 },
    contracts: [{ id: "api-shape", owner: "api", consumers: [], checks: [{ exists: "src/api.ts" }, { exports: { file: "src/api.ts", names: ["makeApi"] } }] }],
  });
  const dir = dropPlan(root, p);
  await endedAs(d, "pinned", "blocked");
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.failure).toMatchObject({ kind: "agent", subject: "api", failedChecks: ["api-shape#1"], breaker: "circuit breaker: no repair rounds (repair.rounds is 0)" });
  expect(status.failure!.outputTail).toContain("not exported: makeApi");
  const shown = await purplectl(socket, "status", "pinned");
  expect(shown.out).toContain("contract api-shape failed its checks (api-shape#1)");
  expect(shown.out).toContain("purplectl approve pinned --override api-shape#1");

  const r = await purplectl(socket, "approve", "pinned", "--override", "api-shape#1");
  expect(r.err).toBe("");
  await endedAs(d, "pinned", "succeeded");
  expect(sent(api, "api").length).toBe(2); // its one attempt: not run again
  const contract = validation(dir, join("contracts", "api-shape.json"));
  expect(contract.checks.map((c) => [c.kind, c.passed, c.overridden ?? false])).toEqual([["exists", true, false], ["exports", true, true]]);
  expect(contract.earlier?.map((e) => e.passed)).toEqual([false]);
  expect(readEvents(dir).some((e) => e.type === "plan.state" && e.to === "running" && (e.reason ?? "").includes("api-shape#1"))).toBe(true);
}, 90_000);

test("purpled killed during a repair round: after the restart the agent runs again with the failure still in its prompt, and the round is not counted twice", async () => {
  const root = tempRoot({ git: true });
  const ctl = mkdtempSync(join(tmpdir(), "purple-repair-crash-"));
  // A first attempt writes the wrong thing; an attempt told of repair round 1 waits for `go`, then writes the right one.
  const script = `echo run >> ${ctl}/runs; mkdir -p out; if grep -q "Repair round 1 of 2: the gate of wave w1 failed" "$PURPLE_PROMPT_FILE"; then while [ ! -f ${ctl}/go ]; do sleep 0.05; done; echo good > out/x; else echo bad > out/x; fi`;
  const p: PlanInput = {
    apiVersion: "purple/v1",
    name: "mended",
    defaults: { runner: "command", retries: 0 },
    agents: [{ id: "a", territory: ["out/"], runner: { kind: "command", command: ["bash", "-c", script] } }],
    waves: [{ id: "w1", agents: ["a"], gate: [{ run: "grep -q good out/x" }] }],
  };
  const runs = () => (existsSync(join(ctl, "runs")) ? readFileSync(join(ctl, "runs"), "utf8").trim().split("\n").length : 0);
  const until = async (n: number) => {
    for (const deadline = Date.now() + 30_000; runs() < n; await Bun.sleep(20)) if (Date.now() > deadline) throw new Error(`timed out waiting for run ${n}`);
  };
  const first = new DaemonProcess(root);
  cleanups.push(async () => first.proc.exitCode === null && first.stop("SIGKILL"));
  await first.started();
  const dir = dropPlan(root, p);
  await until(2); // the repair round's attempt, waiting
  first.proc.kill("SIGKILL");
  await first.exited;

  const second = new DaemonProcess(root);
  cleanups.push(async () => second.proc.exitCode === null && second.stop("SIGKILL"));
  await second.waitFor((l) => l.msg === "state recovered from the journal", "recovery");
  await until(3); // run again after the restart: it waits, so its prompt still told it of the round
  writeFileSync(join(ctl, "go"), "");
  expect((await second.planEnded("mended", 60_000)).state).toBe("succeeded");
  expect(readFileSync(join(root, "out/x"), "utf8")).toBe("good\n");
  const gate = validation(dir, "w1.json");
  expect([gate.passed, gate.round, gate.earlier?.map((e) => [e.round, e.passed])]).toEqual([true, 1, [[0, false]]]);
  expect(readEvents(dir).filter((e) => e.type === "repair.round")).toHaveLength(1);
}, 90_000);
