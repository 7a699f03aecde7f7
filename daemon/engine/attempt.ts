// Where an agent starts: one attempt of one agent, its contract checks, and one run of a wave's
// gate. Each does the IO and returns the outcome as a step for the core's reducer; none of them
// decides what the outcome means or changes the run state.
import { join } from "node:path";
import type { Agent, CheckFailure, CheckResult, Plan, RunnerKind, StepOf, ValidationResult } from "../../protocol/index.ts";
import { runChecks } from "../gates/checks.ts";
import { renderPrompt } from "../prompt.ts";
import { reporterFor } from "./reporter.ts";
import { judgeFor } from "./review.ts";
import type { ReviewerAccess } from "../gates/judge.ts";
import type { RunContext, Runner, RunResult } from "../runners/runner.ts";
import type { Checkpoints } from "./checkpoints.ts";
import { agentFact, type PlanEntry, type PlanHost } from "./plan-entry.ts";
import type { Executor } from "../sandbox/executor.ts";
import { openAttemptSandbox, recordChangesets } from "./sandboxed.ts";
import { awaitGate, openHold } from "./speculation.ts";

const GATE_TIMEOUT_MS = 10 * 60_000;
/** Output of a failed check carried in its step (journaled) for the core and the repair brief. */
const FAILURE_OUTPUT_CHARS = 4_000;

/** What an attempt needs of the engine. */
export interface AttemptEnv extends PlanHost {
  readonly opts: { root: string; socket?: string; runners: Partial<Record<RunnerKind, Runner>>; gateEnv: Record<string, string>; reviewer?: ReviewerAccess | null; executor?: Executor };
  readonly graceMs: number;
  readonly checkpoints: Checkpoints;
}

type Ended = StepOf<"attempt-ended">;

/** Start the agent (unless a stop was asked meanwhile), wait for it, audit its changes: how it ended. */
export async function runAttempt(env: AttemptEnv, entry: PlanEntry, id: string): Promise<Ended> {
  const { index, run } = entry;
  const info = index.agents.get(id)!;
  const plan = index.plan;
  const key = `${run.name}/${id}`;
  const kind = info.agent.runner?.kind ?? plan.defaults.runner;
  const runner = env.opts.runners[kind];
  const validate = checkedContracts(plan, id).length > 0;
  const ended = (outcome: Ended["outcome"], message: string, extra: Partial<Ended> = {}): Ended => ({ type: "attempt-ended", agent: id, outcome, message, trespass: [], validate, final: false, ...extra });
  entry.violated.delete(id);
  if (!runner) return ended("not-started", `the ${kind} runner is not available in this version of purpled`, { final: true });

  // Changes made before this agent starts must not be blamed on it: audit first, then start.
  try {
    await env.checkpoints.request();
  } catch (err) {
    return ended("failed", `territory audit failed before start: ${(err as Error).message}`);
  }
  if (run.agents.get(id)!.stop !== null) return ended("not-started", "stopped before it started");
  const agentDir = join(entry.meta.dir, "agents", id);
  const speculative = run.agents.get(id)!.speculative;
  const opened = await openAttemptSandbox(env, entry, id, agentDir, speculative);
  if (!opened.ok) return ended("failed", opened.reason, { final: true });
  const sandbox = opened.sandbox;
  // Started while the gate before its wave runs: what it changes waits for that gate (engine/speculation.ts).
  const hold = speculative ? openHold(entry, id, sandbox) : null;
  // A person's notes from `retry --note` reach every runner through the agent's own instructions.
  // ... and the failed checks of a repair round (core/repair.ts) the same way.
  const agent = withGuidance(info.agent, run.agents.get(id)!.guidance, run.agents.get(id)!.repair);
  const ctx: RunContext = {
    plan,
    agent,
    wave: info.wave,
    attempt: run.agents.get(id)!.attempt,
    root: env.opts.root,
    planDir: entry.meta.dir,
    agentDir,
    prompt: renderPrompt(plan, agent, info.wave),
    statusFile: join(entry.meta.dir, "status", `${id}.json`),
    socket: sandbox ? sandbox.socket : (env.opts.socket ?? ""),
    sandbox,
    freshSession: entry.discarded.delete(id),
    timeoutMs: info.timeoutMs,
    graceMs: env.graceMs,
    reporter: reporterFor(env, entry, id),
  };
  env.checkpoints.enter({ key, territory: info.agent.territory });
  let result: RunResult;
  let pgid: number | null = null;
  try {
    const handle = runner.start(ctx);
    entry.handles.set(id, handle);
    pgid = handle.pgid;
    // Recorded so that a restart after a crash can kill what this attempt left running.
    if (pgid !== null) env.keep(entry, { t: "pgid", plan: run.name, agent: id, pgid });
    result = await handle.done;
  } finally {
    entry.handles.delete(id);
    if (pgid !== null) env.keep(entry, { t: "pgid", plan: run.name, agent: id, pgid: null });
    env.checkpoints.leave(key);
    await sandbox?.close();
  }
  if (hold) await awaitGate(entry, hold, result.outcome === "finished");
  // With a sandbox, what the attempt changed was checked when its processes ended: refused changes fail it, naming them.
  const heldBack = sandbox ? recordChangesets(env, entry, id, sandbox) : null;
  // Usage is not taken from the result: it accumulates across attempts through reporter.spend.
  env.keep(entry, { ...agentFact(entry, id), exitCode: result.exitCode });
  try {
    await env.checkpoints.request();
  } catch (err) {
    return ended("failed", `territory audit failed: ${(err as Error).message}`);
  }
  if (heldBack) return ended("failed", heldBack);
  return ended(result.outcome, result.message, { trespass: entry.violated.get(id) ?? [] });
}

/** Run the checks of the contracts the agent owns, writing each contract's validation file: which failed. */
export async function checkContracts(env: AttemptEnv, entry: PlanEntry, id: string): Promise<StepOf<"contracts-checked">> {
  const failed: string[] = [];
  const failures: Record<string, CheckFailure[]> = {};
  for (const contract of checkedContracts(entry.index.plan, id)) {
    const startedAt = new Date(env.now()).toISOString();
    const overridden = overriddenIn(entry.run.overrides, `contract:${contract.id}`);
    const { passed, results } = await runChecks(contract.checks, { ...checkContext(env, entry), overridden, judge: judgeFor(env, entry, { kind: "contract", contract: contract.id }) });
    for (const r of results) entry.writer.event({ type: "contract.check", contract: contract.id, agent: id, result: r });
    entry.writer.writeValidation(validation(entry.run.name, contract.id, "contract", passed, startedAt, env.now(), results), roundOf(entry, `contract:${contract.id}`));
    if (!passed) {
      failed.push(contract.id);
      failures[contract.id] = failuresOf(env, contract.id, results);
    }
  }
  return { type: "contracts-checked", agent: id, failed, failures };
}

/** Run the current wave's gate: whether it passed, or null when it was aborted (draining or cancelled). */
export async function runGate(env: AttemptEnv, entry: PlanEntry): Promise<StepOf<"gate-ended"> | null> {
  const { run, index } = entry;
  const wave = index.waves[run.waveIndex]!;
  const abort = new AbortController();
  entry.gateAbort = abort;
  const startedAt = new Date(env.now()).toISOString();
  const judge = judgeFor(env, entry, { kind: "gate", wave: wave.id }, abort.signal);
  const { passed, results } = await runChecks(wave.gate, { ...checkContext(env, entry), signal: abort.signal, approved: run.approvedWaves.includes(wave.id), overridden: overriddenIn(run.overrides, wave.id), judge });
  entry.gateAbort = null;
  for (const r of results) entry.writer.event({ type: "gate.check", wave: wave.id, result: r });
  entry.writer.writeValidation(validation(run.name, wave.id, "gate", passed, startedAt, env.now(), results), roundOf(entry, `gate:${wave.id}`));
  if (abort.signal.aborted) return null;
  const failed = results.filter((r) => !r.passed).map((r) => `${r.kind} ${r.target}`);
  return { type: "gate-ended", passed, summary: failed.join("; "), failures: failuresOf(env, wave.id, results) };
}

/** The failed checks of a gate or contract (`owner`) as the core weighs them for a repair round. */
function failuresOf(env: AttemptEnv, owner: string, results: readonly CheckResult[]): CheckFailure[] {
  const root = env.opts.root.replace(/\/+$/, "") + "/";
  const out: CheckFailure[] = [];
  results.forEach((r, i) => {
    if (r.passed) return;
    // Paths under the project root are made root-relative: the core matches them against territories.
    const output = r.output.split(root).join("").slice(-FAILURE_OUTPUT_CHARS);
    out.push({ check: `${owner}#${i}`, kind: r.kind, target: r.target, output, reasons: r.verdict?.reasons ?? [], files: r.verdict?.files ?? [] });
  });
  return out;
}

/** The contracts the agent owns that have checks: it validates after each finished attempt. */
const checkedContracts = (plan: Plan, id: string) => plan.contracts.filter((c) => c.owner === id && c.checks.length > 0);

/** Repair rounds spent on a gate or contract so far (the validation file says which round it checks). */
const roundOf = (entry: PlanEntry, subject: string): number => entry.run.repairs.get(subject)?.rounds ?? 0;

function checkContext(env: AttemptEnv, entry: PlanEntry) {
  const executor = env.opts.executor;
  return { root: env.opts.root, plan: entry.index.plan, env: env.opts.gateEnv, defaultTimeoutMs: GATE_TIMEOUT_MS, graceMs: env.graceMs, gateView: executor ? () => executor.gateView() : undefined };
}

function validation(plan: string, subject: string, kind: "gate" | "contract", passed: boolean, startedAt: string, end: number, checks: CheckResult[]): ValidationResult {
  return { plan, subject, kind, passed, startedAt, completedAt: new Date(end).toISOString(), checks };
}

/** The indexes of a gate's or contract's checks a person passed by decision (ids `<wave>#<index>`, `contract:<id>#<index>`). */
function overriddenIn(overrides: readonly string[], owner: string): Set<number> {
  const out = new Set<number>();
  for (const id of overrides) if (id.startsWith(`${owner}#`)) out.add(Number(id.slice(owner.length + 1)));
  return out;
}

/** The agent as its runner sees it: a person's retry notes and a repair round's failed checks appended to its instructions. */
function withGuidance(agent: Agent, guidance: readonly string[], repair: string | null): Agent {
  const parts: string[] = [];
  if (guidance.length > 0) parts.push(["A person retried you after an earlier attempt, and said:", ...guidance.map((g) => `- ${g.replace(/\n/g, "\n  ")}`)].join("\n"));
  if (repair) parts.push(repair);
  if (parts.length === 0) return agent;
  const notes = parts.join("\n\n");
  return { ...agent, prompt: agent.prompt ? `${agent.prompt}\n\n${notes}` : notes };
}
