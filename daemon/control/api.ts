// The daemon's side of the control channel: every method of protocol/rpc.ts, answered from the
// engine's memory (no file is read to answer a request). The socket server validates params and
// turns thrown PurpleErrors into JSON-RPC errors; this file only decides what each method does.
import { resolve } from "node:path";
import { PROTOCOL_VERSION, PurpleError, type Method, type ParamsOf, type PlanEvent, type PlanSummary, type ResultOf } from "../../protocol/index.ts";
import { checkPlanAt, submitToInbox } from "../../inbox/submit.ts";
import type { Engine } from "../engine/engine.ts";
import { approvePlan, cancelAgent, cancelPlan, pausePlan, planEntry, resumePlan, retryAgent } from "../engine/control.ts";
import { viewOf, type PlanEntry } from "../engine/plan-entry.ts";
import { completeTicket, reportProgress, setPhase, startTicket, updateStatus } from "../engine/purple-tools.ts";
import { describeFailure } from "../status/failure.ts";
import { renderAgentStatus, renderPlanStatus } from "../status/render.ts";
import type { RpcHandler } from "./server.ts";

export interface ApiContext {
  engine: Engine;
  root: string;
  version: string;
  startedAt: number;
  /** begin the graceful stop (as the first SIGTERM would) */
  shutdown: () => void;
}

interface Subscriber {
  plan?: string;
  send: (e: PlanEvent) => void;
}

export class DaemonApi implements RpcHandler {
  private readonly ctx: ApiContext;
  private readonly subscribers = new Set<Subscriber>();
  private readonly summaries = new WeakMap<PlanEntry, { version: number; summary: PlanSummary }>();
  private stopping = false;

  constructor(ctx: ApiContext) {
    this.ctx = ctx;
  }

  /** Every event the engine records, to the subscribers that asked for its plan. */
  publish(event: PlanEvent): void {
    for (const s of this.subscribers) if (!s.plan || s.plan === event.plan) s.send(event);
  }

  subscribe(filter: { plan?: string }, send: (e: PlanEvent) => void): () => void {
    const sub: Subscriber = { plan: filter.plan, send };
    this.subscribers.add(sub);
    return () => this.subscribers.delete(sub);
  }

  isDraining(): boolean {
    return this.stopping || this.ctx.engine.isDraining;
  }

  async call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return (await this.dispatch(method, params as never)) as ResultOf<M>;
  }

  private async dispatch(method: Method, p: any): Promise<unknown> {
    const { engine } = this.ctx;
    switch (method) {
      case "daemon.status":
        return {
          version: this.ctx.version,
          protocol: PROTOCOL_VERSION,
          pid: process.pid,
          root: this.ctx.root,
          uptimeMs: Date.now() - this.ctx.startedAt,
          degraded: engine.degraded(),
          draining: this.isDraining(),
          plans: this.list(),
        };
      case "daemon.shutdown":
        this.stopping = true;
        setImmediate(this.ctx.shutdown);
        return {};
      case "plan.list":
        return this.list();
      case "plan.get": {
        const entry = planEntry(engine, p.plan);
        const view = viewOf(entry);
        const now = engine.now();
        return { plan: { ...renderPlanStatus(view, now), failure: describeFailure(view, entry.dir) }, agents: [...entry.index.agents.keys()].map((id) => renderAgentStatus(view, id, now)) };
      }
      case "plan.submit":
        return this.submit(p.path);
      case "plan.approve":
        return this.then(p.plan, () => approvePlan(engine, p.plan));
      case "plan.pause":
        return this.then(p.plan, () => pausePlan(engine, p.plan));
      case "plan.resume":
        return this.then(p.plan, () => resumePlan(engine, p.plan));
      case "plan.cancel":
        return this.then(p.plan, () => cancelPlan(engine, p.plan));
      case "agent.retry":
        retryAgent(engine, p.plan, p.agent);
        return renderAgentStatus(viewOf(planEntry(engine, p.plan)), p.agent, engine.now());
      case "agent.cancel":
        cancelAgent(engine, p.plan, p.agent);
        return renderAgentStatus(viewOf(planEntry(engine, p.plan)), p.agent, engine.now());
      case "events.subscribe":
        return { subscribed: true }; // the server registers the subscription
      case "purple_update_status":
        return updateStatus(engine, p), {};
      case "purple_set_phase":
        return setPhase(engine, p), {};
      case "purple_report_progress":
        return reportProgress(engine, p), {};
      case "purple_progress_start_ticket":
        return startTicket(engine, p), {};
      case "purple_progress_complete_ticket":
        return completeTicket(engine, p), {};
    }
  }

  private then(plan: string, act: () => void): PlanSummary {
    act();
    return this.summary(planEntry(this.ctx.engine, plan));
  }

  private list(): PlanSummary[] {
    return [...this.ctx.engine.plans.values()].map((e) => this.summary(e));
  }

  /** A plan's summary, rendered once per change of the plan (1,000 status calls cost one render). */
  private summary(entry: PlanEntry): PlanSummary {
    const cached = this.summaries.get(entry);
    if (cached && cached.version === entry.version) return cached.summary;
    const s = renderPlanStatus(viewOf(entry), this.ctx.engine.now());
    const summary: PlanSummary = {
      plan: s.plan,
      state: s.state,
      reason: s.reason,
      currentWave: s.currentWave,
      waves: s.waves.length,
      wavesPassed: s.waves.filter((w) => w.state === "passed").length,
      agents: entry.index.agents.size,
      completed: s.counts.completed ?? 0,
      running: (s.counts.running ?? 0) + (s.counts.validating ?? 0),
      failed: s.counts.failed ?? 0,
      costUsd: s.usage.costUsd,
      updatedAt: s.updatedAt,
    };
    this.summaries.set(entry, { version: entry.version, summary });
    return summary;
  }

  private async submit(path: string): Promise<{ plan: string }> {
    const abs = resolve(this.ctx.root, path);
    const checked = await checkPlanAt(abs, this.ctx.root);
    if (!checked.ok) {
      const first = checked.problems.slice(0, 5).map((p) => `${p.path || "(plan)"}: ${p.message}`).join("; ");
      throw new PurpleError("PLAN_INVALID", `${path} has ${checked.problems.length} problem(s): ${first}`, { problems: checked.problems });
    }
    try {
      submitToInbox(abs, checked.plan, this.ctx.root);
    } catch (err) {
      throw new PurpleError("PLAN_EXISTS", (err as Error).message);
    }
    return { plan: checked.plan.name };
  }
}
