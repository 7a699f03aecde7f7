// Where every status file is written: one StatusWriter per plan folder. Transitions become
// events and status-log lines at once; files are rewritten atomically on a short coalescing
// timer (a burst of transitions costs one write per file), and synchronously on flush().
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, statSync } from "node:fs";
import { join } from "node:path";
import { ValidationResult, type PlanEvent, type PlanEventBody, type Progress } from "../../protocol/index.ts";
import { removePlantedLinks } from "../process/safe-open.ts";
import { appendText, fsyncFile, writeFileAtomic, writeFilesAtomic } from "../../lib/atomic-write.ts";
import type { Transition } from "../core/state.ts";
import { describeFailure } from "./failure.ts";
import { broadcastLine, logLine, renderAgentStatus, renderPlanStatus, renderProgress, type PlanView } from "./render.ts";

export interface StatusWriterOptions {
  /** longest a transition waits before its files are rewritten */
  flushDelayMs?: number;
  now?: () => number;
  /** called with every event as it is recorded (the control channel streams these) */
  onEvent?: (event: PlanEvent) => void;
  /** a timed flush failed (disk full, folder removed); what was pending stays pending and is retried */
  onError?: (err: unknown) => void;
  /** progress.json as written: ours merged into the file's own (a Purple feature folder keeps its fields) */
  mergeProgress?: (ours: Progress) => Progress;
}

const RETRY_AFTER_ERROR_MS = 1_000;

export class StatusWriter {
  readonly dir: string;
  private readonly view: () => PlanView;
  private readonly now: () => number;
  private readonly delay: number;
  private readonly onEvent?: (event: PlanEvent) => void;
  private readonly onError?: (err: unknown) => void;
  /** how a Purple feature folder's own progress.json fields are kept (carried over when the plan is replaced or rerun) */
  readonly mergeProgress?: (ours: Progress) => Progress;
  private seq: number;
  private readonly events: string[] = [];
  private readonly logLines: string[] = [];
  /** files appended to since their last fsync */
  private readonly unsynced = new Set<string>();
  private dirtyAgents = new Set<string>();
  private dirtyPlan = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** the last flush failed and nothing has been written since (the daemon shows itself degraded) */
  failing = false;
  /** bumped on every change of the plan it writes (the one counter callers cache renders by) */
  version = 0;

  constructor(dir: string, view: () => PlanView, opts: StatusWriterOptions = {}) {
    this.dir = dir;
    this.view = view;
    this.now = opts.now ?? Date.now;
    this.onEvent = opts.onEvent;
    this.onError = opts.onError;
    this.mergeProgress = opts.mergeProgress;
    const agents = view().index.agents.size;
    this.delay = opts.flushDelayMs ?? Math.min(250, 10 + Math.floor(agents / 50));
    removePlantedLinks(dir); // a folder placed straight into O/ may hold `status -> /elsewhere`: never written through
    mkdirSync(join(dir, "status"), { recursive: true });
    mkdirSync(join(dir, "validation", "contracts"), { recursive: true });
    this.seq = lastSeq(join(dir, "events.jsonl"));
  }

  /** Record transitions: their events and log lines, and the files they make stale. */
  transitions(list: readonly Transition[]): void {
    if (list.length === 0) return;
    const now = this.now();
    const view = this.view();
    for (const t of list) {
      if (t.kind === "agent") {
        this.dirtyAgents.add(t.agent);
        this.event({ type: "agent.state", agent: t.agent, wave: view.index.agents.get(t.agent)!.wave, from: t.from, to: t.to, attempt: t.attempt, running: t.running, reason: t.reason, ...(t.speculative ? { speculative: true as const } : {}) });
      } else if (t.kind === "wave") this.event({ type: "wave.state", wave: t.wave, from: t.from, to: t.to });
      else if (t.kind === "repair") this.event({ type: "repair.round", subject: t.subject, round: t.round, of: t.of, agents: t.agents, checks: t.checks });
      else this.event({ type: "plan.state", from: t.from, to: t.to, reason: t.reason });
      const line = logLine(t, now, view);
      if (line) this.logLines.push(line);
    }
    this.dirtyPlan = true;
    this.version++;
    this.appendNow();
    this.schedule();
  }

  /** Record one event (stamped with the next sequence number and the time). */
  event(body: PlanEventBody): void {
    const event = { seq: ++this.seq, ts: new Date(this.now()).toISOString(), plan: this.view().run.name, ...body } as PlanEvent;
    this.events.push(JSON.stringify(event));
    this.onEvent?.(event);
    this.appendNow();
    this.schedule();
  }

  /** A status-log.md line that is not a state change (a ticket started, a progress report). */
  log(who: string, type: string, message: string): void {
    this.logLines.push(broadcastLine(this.now(), who, type, message));
    this.appendNow();
    this.schedule();
  }

  /** status.json and progress.json need rewriting (the status bar or a ticket changed). */
  touchPlan(): void {
    this.dirtyPlan = true;
    this.version++;
    this.schedule();
  }

  /** The agent's status file needs rewriting (its record changed). */
  touchAgent(id: string): void {
    this.dirtyAgents.add(id);
    this.dirtyPlan = true;
    this.version++;
    this.schedule();
  }

  /**
   * validation/<wave>.json or validation/contracts/<id>.json, written now: this run of the checks
   * (after `round` repair rounds), the file's earlier runs kept under `earlier`.
   */
  writeValidation(result: ValidationResult, round = 0): void {
    const file = result.kind === "gate" ? join(this.dir, "validation", `${result.subject}.json`) : join(this.dir, "validation", "contracts", `${result.subject}.json`);
    const earlier = earlierRuns(file);
    const written: ValidationResult = { ...result, round, ...(earlier.length > 0 ? { earlier } : {}) };
    writeFileAtomic(file, JSON.stringify(written, null, 2) + "\n", { mkdir: true });
  }

  /** Write everything pending now: events and log first (append), then the snapshots. Throws on IO failure, keeping it pending. */
  flush(): void {
    try {
      this.write();
    } catch (err) {
      this.failing = true;
      throw err;
    }
  }

  private write(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    mkdirSync(join(this.dir, "status"), { recursive: true }); // the plan folder may have been deleted under it
    this.appendPending(true);
    for (const path of this.unsynced) fsyncFile(path);
    this.unsynced.clear();
    if (!this.dirtyPlan && this.dirtyAgents.size === 0) return void (this.failing = false);
    const now = this.now();
    const view = this.view();
    const files: { path: string; data: string }[] = [];
    for (const id of this.dirtyAgents) files.push(json(join(this.dir, "status", `${id}.json`), renderAgentStatus(view, id, now)));
    const progress = renderProgress(view, now);
    files.push(json(join(this.dir, "progress.json"), this.mergeProgress ? this.mergeProgress(progress) : progress));
    files.push(json(join(this.dir, "status.json"), { ...renderPlanStatus(view, now), failure: describeFailure(view, this.dir) }));
    writeFilesAtomic(files);
    this.dirtyAgents.clear();
    this.dirtyPlan = false;
    this.failing = false;
  }

  /**
   * Write the plan files now (a plan just accepted). An agent's own file first appears with its
   * first transition: status.json lists every agent meanwhile, and a 10,000-agent plan does not
   * pay 10,000 fsyncs before its first agent starts.
   */
  writeAll(): void {
    this.dirtyPlan = true;
    this.flush();
  }

  /**
   * Events and status-log lines go to their files as they happen (a process that dies keeps them:
   * the page cache survives it); the next flush fsyncs them. A failed append keeps them queued,
   * in order, for the flush to retry.
   */
  private appendNow(): void {
    try {
      this.appendPending(false);
    } catch {
      // stays queued; the flush retries and reports
    }
  }

  private appendPending(sync: boolean): void {
    for (const [lines, name] of [[this.events, "events.jsonl"], [this.logLines, "status-log.md"]] as const) {
      if (lines.length === 0) continue;
      const path = join(this.dir, name);
      appendText(path, lines.join("\n") + "\n", sync);
      lines.length = 0;
      if (!sync) this.unsynced.add(path);
    }
  }

  private schedule(delay = this.delay): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.flush();
      } catch (err) {
        this.onError?.(err);
        this.schedule(RETRY_AFTER_ERROR_MS);
      }
    }, delay);
  }
}

/** Earlier runs kept in a validation file (the newest EARLIER_KEPT), then the file's own run; none when it is absent or unreadable. */
function earlierRuns(file: string): NonNullable<ValidationResult["earlier"]> {
  let prior: ValidationResult;
  try {
    prior = ValidationResult.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return [];
  }
  const { passed, round, startedAt, completedAt, checks } = prior;
  return [...(prior.earlier ?? []), { passed, ...(round === undefined ? {} : { round }), startedAt, completedAt, checks }].slice(-EARLIER_KEPT);
}
const EARLIER_KEPT = 50;

const json = (path: string, value: unknown) => ({ path, data: JSON.stringify(value, null, 2) + "\n" });

/** The sequence number of the last complete line of an existing events.jsonl (0 when none). */
function lastSeq(path: string): number {
  if (!existsSync(path)) return 0;
  const size = statSync(path).size;
  const len = Math.min(size, 65_536);
  const buf = Buffer.alloc(len);
  const fd = openSync(path, "r");
  try { readSync(fd, buf, 0, len, size - len); } finally { closeSync(fd); }
  const lines = buf.toString("utf8").split("\n").filter(Boolean).reverse();
  for (const line of lines) {
    try { return JSON.parse(line).seq ?? 0; } catch {}
  }
  return 0;
}
