// The engine: carries out the scheduler's decisions. Plans come in through submit(); it asks
// decide() what to do, applies the actions, starts agents and gates, and feeds their outcomes
// back — recording every transition through each plan's status writer.
import type { JournalRecord, PlanEvent, PlanSnapshot, PlanState, Progress, RunnerKind } from "../../protocol/index.ts";
import { TERMINAL_PLAN_STATES, type Plan, type Territory } from "../../protocol/index.ts";
import type { Logger } from "../../lib/logger.ts";
import { applyAction, DEFAULT_RETRY, PLAN_FAILED_FIRST, type RetryPolicy } from "../core/apply.ts";
import { decide } from "../core/decide.ts";
import { setPlanState, type Transition } from "../core/state.ts";
import type { Runner } from "../runners/runner.ts";
import type { Executor } from "../sandbox/executor.ts";
import { crashPoint } from "../../lib/crash.ts";
import type { Journal } from "../journal/journal.ts";
import { Checkpoints, type AuditResult, type Auditor } from "./checkpoints.ts";
import { restorePlans } from "./restore.ts";
import { agentRecord, snapshotOf, transitionRecords } from "./durable.ts";
import { runAttempt, runGate } from "./attempt.ts";
import { newPlanEntry, type PlanEntry } from "./plan-entry.ts";

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
  retry?: RetryPolicy;
  graceMs?: number;
  flushDelayMs?: number;
  now?: () => number;
  onEvent?: (event: PlanEvent) => void;
  /** the durable record of every transition (purpled always has one; benches may run without) */
  journal?: Journal;
  /** journal records between snapshots (default 2,000) */
  snapshotEvery?: number;
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

export class Engine {
  readonly opts: EngineOptions;
  readonly retry: RetryPolicy;
  readonly graceMs: number;
  readonly now: () => number;
  readonly checkpoints: Checkpoints;
  readonly plans = new Map<string, PlanEntry>();
  private draining = false;
  private pumpQueued = false;
  private attempts = new Set<Promise<void>>();
  /** records the journal could not take yet (disk full): nothing new starts until they are written */
  private unjournaled: JournalRecord[] = [];
  private journalRetry: ReturnType<typeof setTimeout> | null = null;

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.graceMs = opts.graceMs ?? 5_000;
    this.now = opts.now ?? Date.now;
    this.checkpoints = new Checkpoints(opts.auditor, (r) => this.attribute(r), opts.logger);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Take an accepted plan. The same content again is ignored; new content replaces a plan only once it has ended. */
  submit(s: SubmittedPlan): void {
    const log = this.opts.logger;
    if (this.draining) return void log.warn({ plan: s.plan.name }, "plan arrived while draining; it will be picked up at the next start");
    const existing = this.plans.get(s.plan.name);
    if (existing?.hash === s.hash) return;
    // Before approval nothing has run: a newer compile of the sources replaces the plan.
    const replaceable = existing && (existing.run.state === "awaiting-approval" || existing.run.state === "received");
    if (existing && !replaceable && !TERMINAL_PLAN_STATES.includes(existing.run.state)) {
      log.warn({ plan: s.plan.name }, "the plan's source changed while it runs; the change is ignored until it ends");
      return;
    }
    if (existing) for (const w of existing.waiters.splice(0)) w(existing.run.state);
    const now = this.now();
    this.journal([{ t: "plan", plan: s.plan.name, hash: s.hash, dir: s.dir, source: s.source, approval: s.approval ?? false, body: s.plan, at: now }]);
    const entry = newPlanEntry(s.plan, s.dir, s.hash, now, {
      flushDelayMs: this.opts.flushDelayMs,
      onEvent: this.opts.onEvent,
      onError: (err) => log.error({ err, plan: s.plan.name }, "writing the status files failed; retrying"),
      mergeProgress: s.mergeProgress,
    });
    entry.source = s.source;
    entry.approval = s.approval ?? false;
    this.plans.set(s.plan.name, entry);
    entry.writer.event({ type: "plan.accepted", hash: s.hash, source: s.source });
    entry.writer.transitions([setPlanState(entry.run, s.approval ? "awaiting-approval" : "queued", s.approval ? "compiled from prose: waits for `purplectl approve`" : null, now)]);
    entry.writer.writeAll();
    log.info({ plan: s.plan.name, agents: entry.index.agents.size, waves: entry.index.waves.length }, "plan accepted");
    this.schedule();
  }

  /** Resolves with the plan's state once it has ended (succeeded, failed, blocked, cancelled). */
  whenEnded(name: string): Promise<PlanState> {
    const entry = this.plans.get(name);
    if (!entry) return Promise.reject(new Error(`no plan ${name}`));
    if (TERMINAL_PLAN_STATES.includes(entry.run.state)) return Promise.resolve(entry.run.state);
    return new Promise((resolve) => entry.waiters.push(resolve));
  }

  /** Agents running across every plan. */
  runningCount(): number {
    let n = 0;
    for (const e of this.plans.values()) n += e.run.running.size;
    return n;
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

  /** Record transitions of a plan, and wake its waiters when it ends. */
  record(entry: PlanEntry, transitions: Transition[]): void {
    this.journal(transitionRecords(entry.run.name, transitions, this.now()));
    entry.version++;
    entry.writer.transitions(transitions);
    if (transitions.some((t) => t.kind === "agent" && t.to === "completed") && entry.run.waves[entry.run.waveIndex]?.state === "running") crashPoint("mid-wave");
    for (const t of transitions) if (t.kind === "agent" && t.to === "cancelled" && t.reason === PLAN_FAILED_FIRST) entry.autoCancelled.add(t.agent);
    if (transitions.some((t) => t.kind === "plan") && TERMINAL_PLAN_STATES.includes(entry.run.state)) {
      this.flush(entry);
      this.opts.logger.info({ plan: entry.run.name, state: entry.run.state, reason: entry.run.reason }, "plan ended");
      for (const w of entry.waiters.splice(0)) w(entry.run.state);
    }
  }

  /** Stop: no new agents or gates; running agents get SIGTERM and end `interrupted`; files flushed. */
  async drain(): Promise<void> {
    this.draining = true;
    for (const entry of this.plans.values()) {
      entry.gateAbort?.abort();
      if (entry.wakeTimer) clearTimeout(entry.wakeTimer);
      for (const handle of entry.handles.values()) handle.cancel("purpled is stopping");
    }
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
    if (this.unjournaled.length > 0) return true;
    for (const e of this.plans.values()) if (e.writer.failing) return true;
    return false;
  }

  /**
   * Make records durable before what they record takes effect outside. When the journal cannot be
   * written they wait, in order, the daemon shows itself degraded and starts nothing new, and a
   * retry every second catches up once there is space again.
   */
  journal(records: JournalRecord[]): void {
    const journal = this.opts.journal;
    if (!journal || records.length === 0) return;
    if (this.unjournaled.length > 0) return void this.unjournaled.push(...records);
    try {
      journal.append(records);
    } catch (err) {
      this.opts.logger.error({ err }, "the journal cannot be written; no new work starts until it can");
      this.unjournaled.push(...records);
      this.retryJournal();
      return;
    }
    if (journal.sinceSnapshot >= (this.opts.snapshotEvery ?? 2_000)) this.snapshot();
  }

  /** Write a snapshot of every plan (compacting the journal); false when it could not. */
  snapshot(): boolean {
    const journal = this.opts.journal;
    if (!journal || this.unjournaled.length > 0) return false;
    try {
      return journal.snapshot([...this.plans.values()].map((e) => snapshotOf(e, e.source, e.approval)));
    } catch (err) {
      this.opts.logger.warn({ err }, "writing a snapshot failed; the journal keeps every record meanwhile");
      return false;
    }
  }

  private retryJournal(): void {
    if (this.journalRetry) return;
    this.journalRetry = setTimeout(() => {
      this.journalRetry = null;
      try {
        this.opts.journal!.append(this.unjournaled);
        this.unjournaled = [];
        this.opts.logger.info("the journal is writable again");
        this.schedule();
      } catch {
        this.retryJournal();
      }
    }, 1_000);
    this.journalRetry.unref?.();
  }

  /** Take back the plans of a previous run (see restore.ts); returns the process groups it killed. */
  restore(snaps: PlanSnapshot[], killGroup: (pgid: number) => boolean): number[] {
    return restorePlans(this, snaps, killGroup);
  }

  /** Start the current wave's gate (again) for a plan whose state already says it runs. */
  startGate(entry: PlanEntry): void {
    this.track(runGate(this, entry));
  }

  /** Process-group ids of every agent process under way (for a forced stop). */
  liveGroups(): number[] {
    const out: number[] = [];
    for (const e of this.plans.values()) for (const h of e.handles.values()) if (h.pgid !== null) out.push(h.pgid);
    return out;
  }

  /** Every plan: decide, apply, act, until nothing more is to be done now. */
  private pump(): void {
    if (this.draining || this.unjournaled.length > 0) return;
    for (const entry of this.plans.values()) {
      for (let round = 0; round < 10_000; round++) {
        const now = this.now();
        const actions = decide(entry.index, entry.run, { globalFree: this.opts.maxAgents - this.runningCount(), busy: this.busyOutside(entry) }, now);
        const acting = actions.filter((a) => a.type !== "wake-at");
        for (const a of actions) if (a.type === "wake-at") this.wakeAt(entry, a.at);
        if (acting.length === 0) break;
        for (const action of acting) {
          this.record(entry, applyAction(entry.index, entry.run, action, now));
          if (action.type === "start-agent") this.track(runAttempt(this, entry, action.agent));
          else if (action.type === "run-gate") this.track(runGate(this, entry));
        }
      }
    }
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err) => this.opts.logger.error({ err }, "internal error in an attempt")).finally(() => this.attempts.delete(tracked));
    this.attempts.add(tracked);
  }

  private busyOutside(entry: PlanEntry): Territory[] {
    const out: Territory[] = [];
    for (const other of this.plans.values()) {
      if (other === entry) continue;
      for (const id of other.run.running) out.push(other.index.agents.get(id)!.territory);
    }
    return out;
  }

  private wakeAt(entry: PlanEntry, at: number): void {
    if (entry.wakeTimer && entry.wakeAt <= at) return;
    if (entry.wakeTimer) clearTimeout(entry.wakeTimer);
    entry.wakeAt = at;
    entry.wakeTimer = setTimeout(() => {
      entry.wakeTimer = null;
      entry.wakeAt = Infinity;
      this.schedule();
    }, Math.max(0, at - this.now()));
  }

  /** Apply an audit: changes to the agents that made them, violations to every agent running then. */
  private attribute(result: AuditResult): void {
    const at = new Date(this.now()).toISOString();
    for (const c of result.changes) {
      const found = this.byKey(c.agent);
      if (!found) continue;
      const { entry, id } = found;
      const rec = entry.records.get(id)!;
      for (const p of c.paths) rec.changedFiles.add(p);
      this.journal([agentRecord(entry, id)]);
      entry.writer.event({ type: "agent.changes", agent: id, paths: c.paths });
      entry.writer.touchAgent(id);
    }
    for (const v of result.violations) {
      for (const key of v.agents) {
        const found = this.byKey(key);
        if (!found) continue;
        const { entry, id } = found;
        entry.records.get(id)!.violations.push({ path: v.path, action: v.action, at });
        this.journal([agentRecord(entry, id)]);
        entry.violated.set(id, [...(entry.violated.get(id) ?? []), v.path]);
        entry.writer.event({ type: "agent.violation", agent: id, path: v.path, action: v.action });
        entry.writer.touchAgent(id);
        entry.version++;
        this.opts.logger.warn({ plan: entry.run.name, agent: id, path: v.path, action: v.action }, "write outside the territory");
        entry.handles.get(id)?.cancel(`wrote outside its territory: ${v.path}`);
      }
    }
  }

  /** The agent behind an audit key `<plan>/<agent>` (agent ids repeat across plans, plan names have no '/'). */
  private byKey(key: string): { entry: PlanEntry; id: string } | null {
    const slash = key.indexOf("/");
    const entry = this.plans.get(key.slice(0, slash));
    const id = key.slice(slash + 1);
    return entry && entry.index.agents.has(id) ? { entry, id } : null;
  }
}
