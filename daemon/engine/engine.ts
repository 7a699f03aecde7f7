// The engine: the IO shell around the scheduler core. Plans come in through submit(); every
// change goes through step(), which runs the core's reducer, journals the step, records the
// transitions in the status files and carries out the effects. pump() asks decide() about every
// plan at once and starts what it says; attempts and gates (attempt.ts) return outcomes that are
// fed back as steps. Nothing here decides what an outcome means.
import type { JournalRecord, PlanEvent, PlanState, Progress, RunnerKind, Step } from "../../protocol/index.ts";
import { TERMINAL_PLAN_STATES, type Plan } from "../../protocol/index.ts";
import type { Logger } from "../../lib/logger.ts";
import { crashPoint } from "../../lib/crash.ts";
import { decide, type Limits } from "../core/decide.ts";
import { DEFAULT_RETRY, type Reduced } from "../core/outcomes.ts";
import { reduce, type Rules } from "../core/reduce.ts";
import type { Runner } from "../runners/runner.ts";
import type { Executor } from "../sandbox/executor.ts";
import type { ReviewerAccess } from "../gates/judge.ts";
import type { Reviewer } from "../gates/reviewer.ts";
import type { Journal } from "../journal/journal.ts";
import { encodePlan, freshPlan, type DurablePlan } from "../journal/codec.ts";
import { applyAgentFact } from "../journal/replay.ts";
import { Checkpoints, type Auditor } from "./checkpoints.ts";
import { catchUpEvents } from "./reconcile.ts";
import { checkContracts, runAttempt, runGate, type AttemptEnv } from "./attempt.ts";
import { DurableLog } from "./durable-log.ts";
import { newPlanEntry, type AgentFact, type PlanEntry } from "./plan-entry.ts";
import { attributeAudit } from "./attribute.ts";
import { discardHold, noteUnheld, releaseHolds, speculationOf } from "./speculation.ts";

export interface EngineOptions {
  root: string;
  /** daemon-wide limit on running agents */
  maxAgents: number;
  runners: Partial<Record<RunnerKind, Runner>>;
  /** null turns the territory audit off (in-process benchmark runners write nothing) */
  auditor: Auditor | null;
  logger: Logger;
  /** environment for gate commands */
  gateEnv: Record<string, string>;
  /** runs every agent process and gate command in a sandbox (daemon/sandbox/); absent: unsandboxed, as with `sandbox: off` */
  executor?: Executor;
  socket?: string;
  retry?: Rules["retry"];
  graceMs?: number;
  flushDelayMs?: number;
  now?: () => number;
  onEvent?: (event: PlanEvent) => void;
  /** the durable record of every step (purpled always has one; benches may run without) */
  journal?: Journal;
  /** journal records between snapshots (default 2,000) */
  snapshotEvery?: number;
  /** plans that do not say `speculate:` start next waves while a gate runs (O/purple.yaml `speculate`) */
  speculate?: boolean;
  /** the Messages API for judge checks (the anthropic runner's client and key limiter); null: no key */
  reviewer?: ReviewerAccess | null;
  /** judge checks of plans whose runner is claude-code (the claude-code runner's); absent: claude is not here */
  claudeReviewer?: Reviewer | null;
}

export interface SubmittedPlan {
  plan: Plan;
  /** O/<name> */
  dir: string;
  hash: string;
  source: string;
  /** compiled from prose: wait in awaiting-approval until `purplectl approve` */
  approval?: boolean;
  /** keep the folder's own progress.json fields (a Purple feature folder) */
  mergeProgress?: (ours: Progress) => Progress;
}

export class Engine implements AttemptEnv {
  readonly opts: EngineOptions;
  readonly rules: Rules;
  readonly graceMs: number;
  readonly now: () => number;
  readonly checkpoints: Checkpoints;
  readonly plans = new Map<string, PlanEntry>();
  private draining = false;
  private pumpQueued = false;
  private attempts = new Set<Promise<void>>();
  private wakeTimer: ReturnType<typeof setTimeout> | null = null;
  private wakeAt = Infinity;
  private readonly log: DurableLog;
  private readonly limits: Limits;

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.rules = { retry: opts.retry ?? DEFAULT_RETRY };
    this.graceMs = opts.graceMs ?? 5_000;
    this.now = opts.now ?? Date.now;
    this.checkpoints = new Checkpoints(opts.auditor, (r) => attributeAudit(this, r, opts.logger), opts.logger);
    this.limits = { maxAgents: opts.maxAgents, speculation: speculationOf(opts.runners, opts.executor, opts.speculate ?? false) };
    this.log = new DurableLog(opts.journal, opts.logger, () => [...this.plans.values()].map(encodePlan), () => this.schedule(), opts.snapshotEvery);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Take an accepted plan. The same content again is ignored; new content replaces a plan only once it has ended. */
  submit(s: SubmittedPlan): void {
    const log = this.opts.logger;
    if (this.draining) return void log.warn({ plan: s.plan.name }, "plan arrived while draining; it will be picked up at the next start");
    const existing = this.plans.get(s.plan.name);
    if (existing?.meta.hash === s.hash) return;
    // Before approval nothing has run: a newer compile of the sources replaces the plan.
    const replaceable = existing && (existing.run.state === "awaiting-approval" || existing.run.state === "received");
    if (existing && !replaceable && !TERMINAL_PLAN_STATES.includes(existing.run.state)) {
      log.warn({ plan: s.plan.name }, "the plan's source changed while it runs; the change is ignored until it ends");
      return;
    }
    if (existing) for (const w of existing.waiters.splice(0)) w(existing.run.state);
    const now = this.now();
    const meta = { hash: s.hash, dir: s.dir, source: s.source, approval: s.approval ?? false, acceptedAt: now };
    this.journal([{ t: "plan", plan: s.plan.name, hash: s.hash, dir: s.dir, source: s.source, approval: meta.approval, body: s.plan, at: now }]);
    const entry = this.enter(freshPlan(s.plan, meta), s.mergeProgress);
    entry.writer.event({ type: "plan.accepted", hash: s.hash, source: s.source });
    this.step(entry, { type: "accept", approval: meta.approval });
    entry.writer.writeAll();
    log.info({ plan: s.plan.name, agents: entry.index.agents.size, waves: entry.index.waves.length }, "plan accepted");
  }

  /** Take back the plans of a previous run, as the journal rebuilt them; returns the process groups it killed. */
  restore(plans: DurablePlan[], killGroup: (pgid: number) => boolean): number[] {
    const killed: number[] = [];
    for (const d of plans) {
      const entry = this.enter(d);
      catchUpEvents(entry);
      for (const [agent, pgid] of [...d.pgids]) {
        if (killGroup(pgid)) killed.push(pgid);
        this.keep(entry, { t: "pgid", plan: d.run.name, agent, pgid: null });
      }
      this.step(entry, { type: "restart" });
      entry.writer.writeAll();
    }
    this.schedule();
    return killed;
  }

  private enter(d: DurablePlan, mergeProgress?: SubmittedPlan["mergeProgress"]): PlanEntry {
    const name = d.run.name;
    const entry = newPlanEntry(d, {
      flushDelayMs: this.opts.flushDelayMs,
      onEvent: this.opts.onEvent,
      onError: (err) => this.opts.logger.error({ err, plan: name }, "writing the status files failed; retrying"),
      mergeProgress,
    });
    this.plans.set(name, entry);
    return entry;
  }

  /**
   * The one way a plan changes: the core's reducer applies the step (throwing, with nothing
   * changed, when the state refuses it), the step is journaled, its transitions recorded, its
   * effects carried out, waiters woken, and a scheduling round asked for.
   */
  step(entry: PlanEntry, step: Step): Reduced {
    const now = this.now();
    const out = reduce(entry.index, entry.run, step, now, this.rules);
    // A plan replaced by a new run of the same name (its last attempts still ending) is no longer
    // what the journal's records under that name rebuild: its steps are not journaled.
    if (this.plans.get(entry.run.name) === entry) this.journal([{ t: "step", plan: entry.run.name, step, at: now }]);
    if (step.type === "note" || step.type === "status-bar") entry.writer.touchPlan();
    entry.writer.transitions(out.transitions);
    for (const t of out.transitions) {
      if (t.kind === "agent" && t.to === "completed" && entry.run.waves[entry.run.waveIndex]?.state === "running") crashPoint("mid-wave");
      if (t.kind === "agent" && t.to !== "running" && t.to !== "validating") for (const w of entry.settled.get(t.agent)?.splice(0) ?? []) w();
    }
    for (const e of out.effects) {
      if (e.type === "abort-gate") entry.gateAbort?.abort();
      else if (e.type === "release-held") releaseHolds(entry);
      else if (e.type === "check-contracts") this.track(this.recheck(entry, e.agent));
      else {
        entry.handles.get(e.agent)?.cancel(e.reason); // no handle yet: the stop is in the state, honoured before it spawns
        discardHold(entry, e.agent, e.reason);
      }
    }
    if (out.transitions.some((t) => t.kind === "plan") && TERMINAL_PLAN_STATES.includes(entry.run.state)) {
      this.flush(entry);
      this.opts.logger.info({ plan: entry.run.name, state: entry.run.state, reason: entry.run.reason }, "plan ended");
      for (const w of entry.waiters.splice(0)) w(entry.run.state);
    }
    this.schedule();
    return out;
  }

  /** Record a fact about an agent (journaled, then applied exactly as a replay applies it). */
  keep(entry: PlanEntry, fact: AgentFact): void {
    if (this.plans.get(entry.run.name) === entry) this.journal([fact]);
    applyAgentFact(entry, fact);
    if (fact.t !== "pgid") entry.writer.touchAgent(fact.agent);
  }

  /** Resolves with the plan's state once it has ended (succeeded, failed, blocked, cancelled). */
  whenEnded(name: string): Promise<PlanState> {
    const entry = this.plans.get(name);
    if (!entry) return Promise.reject(new Error(`no plan ${name}`));
    if (TERMINAL_PLAN_STATES.includes(entry.run.state)) return Promise.resolve(entry.run.state);
    return new Promise((resolve) => entry.waiters.push(resolve));
  }

  /** Resolves once the agent no longer runs or validates. */
  whenSettled(entry: PlanEntry, agent: string): Promise<void> {
    const s = entry.run.agents.get(agent)?.state;
    if (s !== "running" && s !== "validating") return Promise.resolve();
    return new Promise((resolve) => {
      const list = entry.settled.get(agent) ?? [];
      list.push(resolve);
      entry.settled.set(agent, list);
    });
  }

  /** Ask for a scheduling round soon (coalesced). */
  schedule(): void {
    if (this.pumpQueued || this.draining) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Stop: no new agents or gates; running agents are asked to stop and end interrupted; files flushed. */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const entry of this.plans.values()) this.step(entry, { type: "drain" });
    await Promise.allSettled([...this.attempts]);
    for (const entry of this.plans.values()) this.flush(entry);
  }

  private flush(entry: PlanEntry): void {
    try {
      entry.writer.flush();
    } catch (err) {
      this.opts.logger.error({ err, plan: entry.run.name }, "writing the status files failed");
    }
  }

  /** The journal or some plan's status files could not be written (disk full, …); both keep retrying. */
  degraded(): boolean {
    if (this.log.behind) return true;
    for (const e of this.plans.values()) if (e.writer.failing) return true;
    return false;
  }

  /** Make records durable before what they record takes effect outside (see durable-log.ts). */
  journal(records: JournalRecord[]): void {
    this.log.append(records);
  }

  /** Write a snapshot of every plan (compacting the journal); false when it could not. */
  snapshot(): boolean {
    return this.log.snapshot();
  }

  /** Process-group ids of every agent process under way (for a forced stop). */
  liveGroups(): number[] {
    const out: number[] = [];
    for (const e of this.plans.values()) for (const h of e.handles.values()) if (h.pgid !== null) out.push(h.pgid);
    return out;
  }

  /** Every plan at once: decide, step, act, until nothing more is to be done now. */
  private pump(): void {
    if (this.draining || this.log.behind) return;
    const entries = [...this.plans.values()];
    for (let round = 0; round < 100_000; round++) {
      const { actions, wakeAt } = decide(entries, this.limits, this.now());
      if (wakeAt !== Infinity) this.wake(wakeAt);
      if (actions.length === 0) break;
      for (const { plan, action } of actions) {
        const entry = entries[plan]!;
        this.step(entry, action);
        if (action.type === "start-agent") this.track(this.attempt(entry, action.agent));
        else if (action.type === "run-gate") {
          this.track(this.gate(entry));
          noteUnheld(entry, this.limits.speculation);
        }
      }
    }
  }

  /** One attempt of an agent, then its contract checks when it owns any: outcomes fed back as steps. */
  private async attempt(entry: PlanEntry, id: string): Promise<void> {
    this.step(entry, await runAttempt(this, entry, id));
    if (entry.run.agents.get(id)!.state === "validating") this.step(entry, await checkContracts(this, entry, id));
  }

  /** The contract checks of an agent put back to validating without running it (a person's override). */
  private async recheck(entry: PlanEntry, id: string): Promise<void> {
    this.step(entry, await checkContracts(this, entry, id));
  }

  private async gate(entry: PlanEntry): Promise<void> {
    const ended = await runGate(this, entry);
    if (ended) this.step(entry, ended);
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err) => this.opts.logger.error({ err }, "internal error in an attempt")).finally(() => this.attempts.delete(tracked));
    this.attempts.add(tracked);
  }

  private wake(at: number): void {
    if (this.wakeTimer && this.wakeAt <= at) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.wakeAt = Infinity;
      this.schedule();
    }, Math.max(0, at - this.now()));
  }
}
