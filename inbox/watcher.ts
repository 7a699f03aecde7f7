// The inbox watcher: chokidar on O/ (O/inbox/* and O/*/plan.yaml) plus a periodic rescan, feeding
// one serial queue that reads, judges and places each item and reports every good plan once.
import { watch, type FSWatcher } from "chokidar";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import type { Logger } from "../lib/logger.ts";
import type { ErrorCode, Problem } from "../protocol/errors.ts";
import type { Plan, RunnerKind } from "../protocol/plan.ts";
import { PLAN_NAME_PATTERN, toPlanName } from "../protocol/plan.ts";
import { PURPLED_NAMES } from "../protocol/plan-folder.ts";
import type { Progress } from "../protocol/progress.ts";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import type { CompiledFolder, FolderKind } from "./compile-folder.ts";
import { compilers, mayBeCompilable } from "./compilers.ts";
import type { CompileDefaults } from "./markdown/compile.ts";
import { acceptItem, clearPlanError, rejectItem, writePlanError } from "./accept.ts";
import { checkTerritoriesOnDisk } from "./check-territory-fs.ts";
import { runnerProblems } from "./check-runners.ts";
import { parsePlanText } from "./parse.ts";
import { isIgnoredName, lexists, orchestrationPaths, type OrchestrationPaths } from "./paths.ts";
import { DEFAULT_MAX_PLAN_BYTES, readInboxItem, readPlanFile } from "./read-item.ts";
import { SerialQueue } from "./serial-queue.ts";
import { isCompilableFolder } from "./submit.ts";
import { waitUntilSettled } from "./settle.ts";
import { openArrivalProbe, type Arrival, type ArrivalProbe } from "./arrivals.ts";

/** A plan that parsed and checked clean, placed at O/<name>/plan.yaml. */
export interface AcceptedPlan {
  name: string;
  /** O/<name>, absolute */
  dir: string;
  plan: Plan;
  /** sha256 of the plan.yaml bytes */
  hash: string;
  /** the path it was read from */
  source: string;
  /** how an inbox item came in: renamed in whole (read at once) or written in place (waited out) */
  arrival?: Arrival;
  /** compiled from a markdown or Purple folder: it waits for `purplectl approve` before it runs */
  approval?: boolean;
  /** for a Purple folder: keep its own progress.json's fields when the daemon rewrites it */
  mergeProgress?: (ours: Progress) => Progress;
}

export interface PlanWatcherOptions {
  root: string;
  maxBytes?: number;
  rescanMs?: number;
  logger: Logger;
  onPlan: (p: AcceptedPlan) => void;
  onRejected?: (item: string, problems: Problem[]) => void;
  /** what compiled plans get where their folders name nothing (O/purple.yaml or --config) */
  compileDefaults?: CompileDefaults;
  /** set when O/purple.yaml says `compile: {model: true}`: markdown plans are also compiled by the plan's model */
  modelCompile?: { apiKey?: string; baseURL?: string };
  /** the runner kinds the daemon can serve: a plan needing another is refused (RUNNER_UNAVAILABLE); unset: no check */
  runners?: readonly RunnerKind[];
  /** O was deleted and created again (taking O/.purple with it): awaited before new items are read */
  onRecreated?: () => Promise<void> | void;
  /** the hash of the plan the daemon already holds under this name (one placed by plan.submit), if any */
  known?: (name: string) => string | null;
}

/** Watches one root's O/ for plans; every (name, content) that checks clean reaches onPlan once. */
export class PlanWatcher {
  private readonly paths: OrchestrationPaths;
  private readonly opts: PlanWatcherOptions;
  private readonly maxBytes: number;
  private readonly queue = new SerialQueue();
  /** name → what O/<name>/plan.yaml held when last judged (a hash, or the read failure) */
  private readonly judged = new Map<string, string>();
  /** name → hash given to onPlan */
  private readonly reported = new Map<string, string>();
  private fsw: FSWatcher | null = null;
  /** how inbox items arrived (renamed in whole, or written in place) */
  private arrivals: ArrivalProbe | null = null;
  /** plan folders moved out of the inbox whole: their files need no waiting out */
  private readonly wholeFolders = new Set<string>();
  private orchIno: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private rescanning: Promise<void> | null = null;
  private arming: Promise<void> | null = null;
  private closed = false;

  constructor(opts: PlanWatcherOptions) {
    this.opts = opts;
    this.paths = orchestrationPaths(opts.root);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_PLAN_BYTES;
  }

  /** Create O/inbox if missing, start watching, and process what is already there. */
  async start(): Promise<void> {
    mkdirSync(this.paths.inbox, { recursive: true });
    await this.rearm();
    await this.rescan();
    this.timer = setInterval(() => void this.tick(), this.opts.rescanMs ?? 5000);
    this.timer.unref();
  }

  /** Process everything in O/inbox and every O/<name>/plan.yaml now; resolves when done. */
  async rescan(): Promise<void> {
    if (this.closed) return;
    mkdirSync(this.paths.inbox, { recursive: true });
    if (this.fsw && this.currentOrchIno() !== this.orchIno) {
      this.opts.logger.info({ dir: this.paths.orch }, "the orchestration directory was recreated; watching it again");
      await this.rearm();
      await this.opts.onRecreated?.();
    }
    const tasks: Promise<void>[] = [];
    const folders = new Set<string>();
    for (const entry of await readdir(this.paths.orch, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory() || entry.name === "inbox" || isIgnoredName(entry.name)) continue;
      folders.add(entry.name);
      tasks.push(this.enqueuePlan(entry.name));
    }
    for (const name of this.judged.keys()) if (!folders.has(name)) tasks.push(this.enqueuePlan(name));
    for (const name of await readdir(this.paths.inbox).catch(() => [] as string[]))
      if (name !== "rejected" && !isIgnoredName(name)) tasks.push(this.enqueueInbox(name));
    await Promise.all(tasks);
  }

  /** Stop watching; resolves once the item being processed (if any) is done. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.arming?.catch(() => {});
    await this.fsw?.close();
    this.fsw = null;
    await this.queue.idle();
    this.arrivals?.close();
    this.arrivals = null;
  }

  // (Re)start chokidar on O once, however many callers ask at the same time.
  private rearm(): Promise<void> {
    this.arming ??= this.arm().finally(() => (this.arming = null));
    return this.arming;
  }

  // No awaitWriteFinish: events come at once, and each item is waited out (settle.ts) unless the
  // arrival probe says it was renamed in whole.
  private async arm(): Promise<void> {
    await this.fsw?.close();
    this.fsw = null;
    this.arrivals?.close();
    this.arrivals = null;
    if (this.closed) return;
    // The probe first: an item renamed in while chokidar starts is still seen as renamed.
    const arrivals = await openArrivalProbe(this.paths.inbox);
    if (this.closed) return arrivals.close();
    this.arrivals = arrivals;
    const fsw = watch(this.paths.orch, {
      depth: 1,
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (path: string) => this.ignored(path),
    });
    fsw.on("all", (event, path) => this.onEvent(event, path));
    fsw.on("error", (err) => this.opts.logger.warn({ err }, "watching the orchestration directory failed"));
    await new Promise<void>((resolve) => fsw.once("ready", () => resolve()));
    if (this.closed) return void (await fsw.close());
    this.fsw = fsw;
    this.orchIno = this.currentOrchIno();
  }

  private currentOrchIno(): number | null {
    try {
      return statSync(this.paths.orch).ino;
    } catch {
      return null;
    }
  }

  private async tick(): Promise<void> {
    if (this.closed || this.rescanning) return;
    this.rescanning = this.rescan()
      .catch((err) => this.opts.logger.warn({ err }, "rescan of the orchestration directory failed"))
      .finally(() => (this.rescanning = null));
    await this.rescanning;
  }

  // What chokidar never needs to look at: editor droppings, rejected items, the daemon's state,
  // anything inside a plan folder but its plan.yaml, anything deeper than one level.
  private ignored(path: string): boolean {
    const rel = relative(this.paths.orch, path);
    if (rel === "" || rel.startsWith("..")) return false;
    const segs = rel.split(sep);
    if (segs.some(isIgnoredName)) return true;
    if (segs[0] === "inbox") return segs.length > 2 || segs[1] === "rejected";
    return segs.length > 2 || (segs.length === 2 && segs[1] !== "plan.yaml" && !isPlanMarkdown(segs[1]!));
  }

  private onEvent(event: string, path: string): void {
    if (this.closed) return;
    const segs = relative(this.paths.orch, path).split(sep);
    if (segs[0] === "inbox") {
      if (segs.length === 2 && (event === "add" || event === "change" || event === "addDir")) void this.enqueueInbox(segs[1]!);
    } else if (segs.length === 2 && (segs[1] === "plan.yaml" || isPlanMarkdown(segs[1]!))) void this.enqueuePlan(segs[0]!);
    else if (segs.length === 1 && (event === "addDir" || event === "unlinkDir")) void this.enqueuePlan(segs[0]!);
  }

  private enqueueInbox(name: string): Promise<void> {
    return this.queue.push(`inbox/${name}`, () => this.processInboxItem(name), (err) => this.opts.logger.error({ err, item: name }, "processing an inbox item failed"));
  }

  private enqueuePlan(name: string): Promise<void> {
    return this.queue.push(`plan/${name}`, () => this.processPlanFolder(name), (err) => this.opts.logger.error({ err, plan: name }, "processing a plan folder failed"));
  }

  // One item of O/inbox: read it, judge it, then accept, drop as duplicate, or reject it.
  private async processInboxItem(name: string): Promise<void> {
    if (this.closed || name === "rejected" || isIgnoredName(name)) return;
    const path = join(this.paths.inbox, name);
    const arrival: Arrival = this.arrivals?.take(name) ?? "unknown";
    // A renamed-in item is complete now; anything else may still be written, so it is waited out.
    if (!(arrival === "renamed" ? lexists(path) : await waitUntilSettled(path))) return; // gone: processed already, or taken back
    if (isCompilableFolder(path)) return this.placeCompilable(path, name, arrival === "renamed");
    const read = await readInboxItem(path, { maxBytes: this.maxBytes });
    if (!read.ok) return this.reject(path, read.code, read.problems);
    const parsed = parsePlanText(read.text, read.format);
    if (!parsed.ok) return this.reject(path, "PLAN_INVALID", parsed.problems);
    const missing = this.runnerProblems(parsed.plan);
    if (missing.length) return this.reject(path, "RUNNER_UNAVAILABLE", missing);
    const onDisk = await checkTerritoriesOnDisk(parsed.plan, this.paths.root);
    if (onDisk.length) return this.reject(path, "PLAN_INVALID", onDisk);
    const outcome = await acceptItem(this.paths, { path, kind: read.kind, read, plan: parsed.plan });
    const log = this.opts.logger;
    if (outcome.kind === "rejected") {
      log.info({ item: name, code: outcome.code, problems: outcome.problems, movedTo: outcome.movedTo }, `inbox item "${name}" rejected`);
      return this.notifyRejected(path, outcome.problems);
    }
    if (outcome.kind === "duplicate") {
      log.info({ item: name, plan: outcome.name, hash: outcome.hash }, `inbox item "${name}" is a duplicate of plan "${outcome.name}"; removed`);
      return;
    }
    log.info({ item: name, plan: outcome.name, hash: outcome.hash, arrival }, `inbox item "${name}" accepted as plan "${outcome.name}"`);
    this.judged.set(outcome.name, outcome.hash);
    this.report({ name: outcome.name, dir: outcome.dir, plan: parsed.plan, hash: outcome.hash, source: read.file, arrival });
  }

  // O/<name>/plan.yaml placed directly (or just written by an accept): report it once per content.
  private async processPlanFolder(name: string): Promise<void> {
    if (this.closed) return;
    const dir = join(this.paths.orch, name);
    const file = join(dir, "plan.yaml");
    const kind = !lexists(file) && mayBeCompilable(dir) ? compilers().compilableKind(dir) : null;
    if (kind) return this.processCompilable(name, dir, kind);
    // What an accept just placed here needs no waiting out: its content is already judged.
    const placed = lexists(file) ? await readPlanFile(file, { maxBytes: this.maxBytes }) : null;
    if (placed?.ok && this.judged.get(name) === placed.hash) return;
    // Placed by plan.submit, which judged it and handed it to the daemon already.
    if (placed?.ok && this.opts.known?.(name) === placed.hash) {
      this.judged.set(name, placed.hash);
      this.reported.set(name, placed.hash);
      return;
    }
    if (!lexists(file) || !(await waitUntilSettled(file))) {
      this.judged.delete(name);
      this.reported.delete(name);
      return;
    }
    const read = await readPlanFile(file, { maxBytes: this.maxBytes });
    const key = read.ok ? read.hash : `unreadable:${read.problems[0]?.message}`;
    if (this.judged.get(name) === key) return;
    this.judged.set(name, key);
    let problems: Problem[];
    if (!read.ok) problems = read.problems;
    else {
      const parsed = parsePlanText(read.text, "yaml");
      if (!parsed.ok) problems = parsed.problems;
      else if (parsed.plan.name !== name)
        problems = [{ path: "name", message: `the plan is named "${parsed.plan.name}" but its folder is "${name}"; they must match` }];
      else {
        problems = this.runnerProblems(parsed.plan);
        if (!problems.length) problems = await checkTerritoriesOnDisk(parsed.plan, this.paths.root);
        if (!problems.length) {
          clearPlanError(dir);
          if (this.reported.get(name) === read.hash) return;
          this.opts.logger.info({ plan: name, hash: read.hash }, `plan "${name}" accepted from ${name}/plan.yaml`);
          return this.report({ name, dir, plan: parsed.plan, hash: read.hash, source: file });
        }
      }
    }
    writePlanError(dir, problems);
    this.opts.logger.info({ plan: name, problems }, `plan "${name}" rejected; see ${name}/plan.error.json`);
    this.notifyRejected(file, problems);
  }

  // A markdown or Purple folder dropped into the inbox: it becomes O/<name>/ and is compiled there.
  private placeCompilable(path: string, item: string, whole: boolean): void {
    // A single markdown file becomes the one file of a new plan folder named after it.
    const single = compilers().isMarkdownFile(path);
    const name = toPlanName(single ? item.replace(/\.(?:md|markdown)$/i, "") : item);
    const target = join(this.paths.orch, name);
    if (existsSync(target)) return this.reject(path, "PLAN_EXISTS", [{ path: "", message: `a plan folder named "${name}" already exists; remove it or rename the folder` }]);
    if (single) {
      mkdirSync(target);
      renameSync(path, join(target, item));
    } else renameSync(path, target);
    if (whole) this.wholeFolders.add(name);
    this.opts.logger.info({ item, plan: name }, `inbox folder "${item}" moved to ${name}/ to be compiled`);
    void this.enqueuePlan(name);
  }

  // O/<name>/ holding a markdown plan or a Purple feature folder: compile it to plan.compiled.yaml
  // with an intake report, then report it as a plan that waits for approval.
  // `kind` is what processPlanFolder just found (compilableKind reads and parses the folder's markdown).
  private async processCompilable(name: string, dir: string, kind: FolderKind): Promise<void> {
    const { compileFolder } = compilers();
    if (!PLAN_NAME_PATTERN.test(name)) {
      writePlanError(dir, [{ path: "", message: `the folder name "${name}" is not a plan name (lower-case letters, digits and '-'); rename the folder` }]);
      return;
    }
    const main = join(dir, kind === "markdown" ? "orchestration-plan.md" : "agent-written-specifications");
    const whole = this.wholeFolders.delete(name);
    if (!whole && existsSync(main) && !(await waitUntilSettled(main))) return;
    const compiled = compileFolder(dir, name, kind, this.opts.compileDefaults ?? { runner: "anthropic", allowedCommands: [] });
    if (this.judged.get(name) === compiled.key) return;
    this.judged.set(name, compiled.key);
    if (kind === "markdown" && this.opts.modelCompile) await this.withModel(compiled, dir, name);
    writeFileAtomic(join(dir, "plan.compiled.yaml"), compiled.yaml);
    writeFileAtomic(join(dir, "intake-report.md"), compiled.report);
    const parsed = parsePlanText(compiled.yaml, "yaml");
    let problems = parsed.ok ? this.runnerProblems(parsed.plan) : parsed.problems;
    if (parsed.ok && !problems.length) problems = await checkTerritoriesOnDisk(parsed.plan, this.paths.root);
    if (!parsed.ok || problems.length) {
      writePlanError(dir, problems);
      this.opts.logger.info({ plan: name, problems }, `plan "${name}" compiled from its ${kind} folder has problems; see ${name}/plan.error.json and intake-report.md`);
      return this.notifyRejected(dir, problems);
    }
    clearPlanError(dir);
    const { gapSummary } = await import("./markdown/gaps.ts");
    const gaps = gapSummary(compiled.result.gaps ?? []);
    this.opts.logger.info({ plan: name, kind, items: compiled.result.items.length, gaps }, `plan "${name}" compiled from its ${kind} folder; it waits for \`purplectl approve ${name}\`${gaps.length ? ` (${gaps.length} gap(s): ${gaps[0]})` : ""}`);
    this.report({ name, dir, plan: parsed.plan, hash: compiled.key, source: compiled.source, approval: true, mergeProgress: compiled.mergeProgress });
  }

  // The model's grounded compile replaces the rules' when it validates; otherwise the rules' plan
  // stands and the report says why. Either way the plan waits for approval.
  private async withModel(compiled: CompiledFolder, dir: string, name: string): Promise<void> {
    try {
      const { modelCompileFolder } = await import("./markdown/model/compile.ts");
      const m = await modelCompileFolder(dir, name, this.opts.compileDefaults ?? { runner: "anthropic", allowedCommands: [] }, this.opts.modelCompile ?? {});
      if (m.problems.length === 0) {
        compiled.yaml = m.yaml;
        compiled.report = m.report;
      } else compiled.report = `${compiled.report.trimEnd()}\n\n## Model-assisted compile not used\n\nThe model's grounded plan has problems, so the rules' plan stands:\n${m.problems.map((p) => `- ${p.path}: ${p.message}`).join("\n")}\n`;
      this.opts.logger.info({ plan: name, dropped: m.grounded.dropped.length, disagreements: m.disagreements.length, used: m.problems.length === 0 }, `plan "${name}" compiled by its model too`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      compiled.report = `${compiled.report.trimEnd()}\n\n## Model-assisted compile failed\n\n${message}\n\nThe rules' plan stands.\n`;
      this.opts.logger.warn({ plan: name, err: message }, `the model-assisted compile of plan "${name}" failed; the rules' plan stands`);
    }
  }

  private runnerProblems(plan: Plan): Problem[] {
    return this.opts.runners ? runnerProblems(plan, this.opts.runners) : [];
  }

  private reject(path: string, code: ErrorCode, problems: Problem[]): void {
    const movedTo = rejectItem(this.paths, path, problems);
    const item = basename(path);
    this.opts.logger.info({ item, code, problems, movedTo }, `inbox item ${JSON.stringify(item)} rejected`);
    this.notifyRejected(path, problems);
  }

  private notifyRejected(item: string, problems: Problem[]): void {
    try {
      this.opts.onRejected?.(item, problems);
    } catch (err) {
      this.opts.logger.error({ err, item }, "the onRejected handler failed");
    }
  }

  private report(p: AcceptedPlan): void {
    this.reported.set(p.name, p.hash);
    try {
      this.opts.onPlan(p);
    } catch (err) {
      this.opts.logger.error({ err, plan: p.name }, "the onPlan handler failed");
    }
  }
}

// A markdown file in a plan folder that may be (part of) the plan: any but those purpled writes.
function isPlanMarkdown(name: string): boolean {
  return /\.(?:md|markdown)$/i.test(name) && !PURPLED_NAMES.has(name);
}
