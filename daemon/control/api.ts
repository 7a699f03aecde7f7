// The daemon's side of the control channel: every method of protocol/rpc.ts, answered from the
// engine's memory (no file is read to answer a request). The socket server validates params and
// turns thrown PurpleErrors into JSON-RPC errors; this file only decides what each method does.
import { join, resolve } from "node:path";
import { PROTOCOL_VERSION, PurpleError, type Method, type ParamsOf, type PlanEvent, type PlanSummary, type Problem, type ResultOf, type RunnerKind, type SandboxInfo } from "../../protocol/index.ts";
import type { Machine } from "../../inbox/can-run.ts";
import type { Engine } from "../engine/engine.ts";
import { approveAsOnDisk } from "./approve-edited.ts";
import { cancelAgent, cancelPlan, pausePlan, planEntry, resumePlan, retryAgent } from "../engine/control.ts";
import { viewOf, type PlanEntry } from "../engine/plan-entry.ts";
import { completeTicket, reportProgress, setPhase, startTicket, updateStatus } from "../engine/purple-tools.ts";
import { describeFailure } from "../status/failure.ts";
import { renderAgentStatus, renderPlanStatus } from "../status/render.ts";
import { forgetPlan, rerunPlan } from "./plan-lifecycle.ts";
import { Rejections } from "./rejections.ts";
import type { RpcHandler } from "./server.ts";
import { submitPlan } from "./submit.ts";

export interface ApiContext {
  engine: Engine;
  root: string;
  version: string;
  startedAt: number;
  /** begin the graceful stop (as the first SIGTERM would) */
  shutdown: () => void;
  /** what this daemon can run: the anthropic key it holds, where Claude Code is */
  machine?: Machine;
  /** the sandbox in force, for daemon.status */
  sandbox?: SandboxInfo;
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
  readonly rejections: Rejections;

  constructor(ctx: ApiContext) {
    this.ctx = ctx;
    this.rejections = new Rejections(join(ctx.root, ".context-kit", "orchestration"));
  }

  /** An inbox item the watcher refused (its onRejected). */
  rejected(item: string, problems: Problem[]): void {
    this.rejections.record(item, problems);
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
          ...(this.ctx.sandbox ? { sandbox: this.ctx.sandbox } : {}),
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
        return { plan: { ...renderPlanStatus(view, now), failure: describeFailure(view, entry.meta.dir) }, agents: [...entry.index.agents.keys()].map((id) => renderAgentStatus(view, id, now)) };
      }
      case "plan.submit":
        return this.submit(p.path);
      case "plan.rerun":
        return { plan: p.plan, run: rerunPlan(engine, p.plan) };
      case "plan.forget":
        return { plan: p.plan, ...forgetPlan(engine, p.plan) };
      case "plan.rejections":
        return this.rejections.list();
      case "plan.approve":
        return approveAsOnDisk(engine, this.ctx.root, p.plan, () => this.summary(planEntry(engine, p.plan)), p.override);
      case "plan.pause":
        return this.then(p.plan, () => pausePlan(engine, p.plan));
      case "plan.resume":
        return this.then(p.plan, () => resumePlan(engine, p.plan));
      case "plan.cancel":
        return this.then(p.plan, () => cancelPlan(engine, p.plan));
      case "agent.retry":
        retryAgent(engine, p.plan, p.agent, p.note);
        return renderAgentStatus(viewOf(planEntry(engine, p.plan)), p.agent, engine.now());
      case "agent.cancel":
        await cancelAgent(engine, p.plan, p.agent);
        return renderAgentStatus(viewOf(planEntry(engine, p.plan)), p.agent, engine.now());
      case "events.subscribe":
        return { subscribed: true }; // the server registers the subscription
      case "agent.note":
        return reportProgress(engine, { plan: p.plan, agent: p.agent, message: p.note }), {};
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
    if (cached && cached.version === entry.writer.version) return cached.summary;
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
    this.summaries.set(entry, { version: entry.writer.version, summary });
    return summary;
  }

  private async submit(path: string): Promise<ResultOf<"plan.submit">> {
    const abs = resolve(this.ctx.root, path);
    const machine = this.ctx.machine ?? { which: () => null, hasApiKey: null, claude: null, serves: Object.keys(this.ctx.engine.opts.runners) as RunnerKind[], root: this.ctx.root };
    try {
      const r = await submitPlan(this.ctx.engine, this.ctx.root, abs, machine);
      this.rejections.clear(r.plan);
      return r;
    } catch (err) {
      if (err instanceof PurpleError && err.problems.length) this.rejections.record(abs, err.problems);
      // a full disk or a permission while placing the plan is not the plan's fault
      throw err instanceof PurpleError ? err : new PurpleError("IO_ERROR", `${path} could not be placed: ${(err as Error).message}`, { cause: err });
    }
  }
}
