// One attempt of one agent, and one run of a wave's gate: the IO between a scheduler action
// and the outcome fed back to the core.
import { join } from "node:path";
import type { CheckResult, ValidationResult } from "../../protocol/index.ts";
import { applyAgentEnded, applyGateEnded } from "../core/apply.ts";
import { setAgentState } from "../core/state.ts";
import { runChecks } from "../gates/checks.ts";
import { renderPrompt } from "../prompt.ts";
import { agentRecord } from "./durable.ts";
import { reporterFor } from "./reporter.ts";
import { openAttemptSandbox, recordChangesets } from "./sandboxed.ts";
import type { RunContext, RunResult } from "../runners/runner.ts";
import type { Engine } from "./engine.ts";
import type { PlanEntry } from "./plan-entry.ts";

const GATE_TIMEOUT_MS = 10 * 60_000;

/** Start the agent, wait for it, audit its changes, check its contracts, and record the outcome. */
export async function runAttempt(engine: Engine, entry: PlanEntry, id: string): Promise<void> {
  const { index, run } = entry;
  const info = index.agents.get(id)!;
  const plan = index.plan;
  const key = `${run.name}/${id}`;
  const kind = info.agent.runner?.kind ?? plan.defaults.runner;
  const runner = engine.opts.runners[kind];
  entry.violated.delete(id);
  if (!runner) return finish(engine, entry, id, { ok: false, reason: `the ${kind} runner is not available in this version of purpled`, retryable: false });

  const agentDir = join(entry.dir, "agents", id);
  // Changes made before this agent starts must not be blamed on it: audit first, then start.
  try {
    await engine.checkpoints.request();
  } catch (err) {
    return finish(engine, entry, id, { ok: false, reason: `territory audit failed before start: ${(err as Error).message}`, retryable: true });
  }
  if (run.agents.get(id)!.state !== "running") return;
  if (entry.cancelRequested.delete(id)) {
    engine.record(entry, [setAgentState(run, id, "cancelled", run.state === "cancelled" ? "the plan was cancelled" : "cancelled by a person", engine.now())]);
    return engine.schedule();
  }
  if (engine.isDraining) {
    engine.record(entry, [setAgentState(run, id, "interrupted", "purpled stopped before it started", engine.now())]);
    return;
  }
  const opened = await openAttemptSandbox(engine, entry, id, agentDir);
  if (!opened.ok) return finish(engine, entry, id, { ok: false, reason: opened.reason, retryable: false });
  const sandbox = opened.sandbox;
  const ctx: RunContext = {
    plan,
    agent: info.agent,
    wave: info.wave,
    attempt: run.agents.get(id)!.attempt,
    root: engine.opts.root,
    planDir: entry.dir,
    agentDir,
    prompt: renderPrompt(plan, info.agent, info.wave),
    statusFile: join(entry.dir, "status", `${id}.json`),
    socket: sandbox ? sandbox.socket : (engine.opts.socket ?? ""),
    sandbox,
    timeoutMs: info.timeoutMs,
    graceMs: engine.graceMs,
    reporter: reporterFor(engine, entry, id),
  };
  engine.checkpoints.enter({ key, territory: info.agent.territory });
  let result: RunResult;
  let pgid: number | null = null;
  try {
    const handle = runner.start(ctx);
    entry.handles.set(id, handle);
    pgid = handle.pgid;
    // Recorded so that a restart after a crash can kill what this attempt left running.
    if (pgid !== null) engine.journal([{ t: "pgid", plan: run.name, agent: id, pgid }]);
    result = await handle.done;
  } finally {
    entry.handles.delete(id);
    if (pgid !== null) engine.journal([{ t: "pgid", plan: run.name, agent: id, pgid: null }]);
    engine.checkpoints.leave(key);
    await sandbox?.close();
  }
  const heldBack = sandbox ? recordChangesets(engine, entry, id, sandbox) : null;
  const rec = entry.records.get(id)!;
  rec.exitCode = result.exitCode; // usage is not taken from the result: it accumulates across attempts through reporter.spend
  engine.journal([agentRecord(entry, id)]);

  try {
    await engine.checkpoints.request();
  } catch (err) {
    return finish(engine, entry, id, { ok: false, reason: `territory audit failed: ${(err as Error).message}`, retryable: true });
  }
  if (entry.cancelRequested.delete(id)) {
    engine.record(entry, [setAgentState(run, id, "cancelled", run.state === "cancelled" ? "the plan was cancelled" : "cancelled by a person", engine.now())]);
    return engine.schedule();
  }
  if (result.outcome === "blocked" || entry.budgetStopped.delete(id)) {
    engine.record(entry, [setAgentState(run, id, "blocked", result.outcome === "blocked" ? result.message : "the plan's budget is spent", engine.now())]);
    return engine.schedule();
  }
  if (engine.isDraining && result.outcome === "cancelled") {
    engine.record(entry, [setAgentState(run, id, "interrupted", "purpled stopped while it ran", engine.now())]);
    return;
  }
  if (heldBack) return finish(engine, entry, id, { ok: false, reason: heldBack, retryable: true });
  const violated = entry.violated.get(id);
  if (violated) return finish(engine, entry, id, { ok: false, reason: `wrote outside its territory: ${violated.join(", ")} (reverted)`, retryable: true });
  if (result.outcome !== "finished") return finish(engine, entry, id, { ok: false, reason: result.message, retryable: true });

  const owned = plan.contracts.filter((c) => c.owner === id && c.checks.length > 0);
  if (owned.length === 0) return finish(engine, entry, id, { ok: true, validate: false });
  finish(engine, entry, id, { ok: true, validate: true });
  const failures: string[] = [];
  for (const contract of owned) {
    const startedAt = new Date(engine.now()).toISOString();
    const { passed, results } = await runChecks(contract.checks, checkContext(engine, entry));
    for (const r of results) entry.writer.event({ type: "contract.check", contract: contract.id, agent: id, result: r });
    entry.writer.writeValidation(validation(run.name, contract.id, "contract", passed, startedAt, engine.now(), results));
    if (!passed) failures.push(contract.id);
  }
  if (run.agents.get(id)!.state !== "validating") return;
  if (engine.isDraining) {
    engine.record(entry, [setAgentState(run, id, "interrupted", "purpled stopped during its contract checks", engine.now())]);
    return;
  }
  if (failures.length === 0) engine.record(entry, [setAgentState(run, id, "completed", null, engine.now())]);
  else engine.record(entry, applyAgentEnded(index, run, id, { ok: false, reason: `contract checks failed: ${failures.join(", ")}`, retryable: true }, engine.now(), engine.retry));
  engine.schedule();
}

function finish(engine: Engine, entry: PlanEntry, id: string, outcome: Parameters<typeof applyAgentEnded>[3]): void {
  engine.record(entry, applyAgentEnded(entry.index, entry.run, id, outcome, engine.now(), engine.retry));
  engine.schedule();
}

/** Run the current wave's gate and move the plan on (passed) or block it (failed). */
export async function runGate(engine: Engine, entry: PlanEntry): Promise<void> {
  const { run, index } = entry;
  const wave = index.waves[run.waveIndex]!;
  const abort = new AbortController();
  entry.gateAbort = abort;
  const startedAt = new Date(engine.now()).toISOString();
  const { passed, results } = await runChecks(wave.gate, { ...checkContext(engine, entry), signal: abort.signal, approved: entry.approvedWaves.has(wave.id) });
  entry.gateAbort = null;
  for (const r of results) entry.writer.event({ type: "gate.check", wave: wave.id, result: r });
  entry.writer.writeValidation(validation(run.name, wave.id, "gate", passed, startedAt, engine.now(), results));
  if (abort.signal.aborted) return; // draining or cancelled: the gate does not decide anything
  const failed = results.filter((r) => !r.passed).map((r) => `${r.kind} ${r.target}`);
  engine.record(entry, applyGateEnded(run, passed, failed.join("; "), engine.now()));
  engine.schedule();
}

function checkContext(engine: Engine, entry: PlanEntry) {
  const executor = engine.opts.executor;
  return { root: engine.opts.root, plan: entry.index.plan, env: engine.opts.gateEnv, defaultTimeoutMs: GATE_TIMEOUT_MS, graceMs: engine.graceMs, gateView: executor ? () => executor.gateView() : undefined };
}

function validation(plan: string, subject: string, kind: "gate" | "contract", passed: boolean, startedAt: string, end: number, checks: CheckResult[]): ValidationResult {
  return { plan, subject, kind, passed, startedAt, completedAt: new Date(end).toISOString(), checks };
}
