// The daemon's lifecycle, in one owner (its states: state.ts). Start in a fixed order — the
// state folder (establish(): lock, journal, auditor, engine, control socket, daemon.json), then
// the watcher — then run until told to stop. The
// first SIGTERM or SIGINT (or daemon.shutdown) drains: no new agents, running ones get SIGTERM
// and end interrupted, files flushed, and the socket keeps answering (mutations get
// SHUTTING_DOWN) until then. A second signal forces (SIGKILL to every agent group). `finally`
// always closes the socket and removes daemon.json and the lock.
import { mkdirSync, realpathSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { asPurpleError, defaultSocketPath, type DaemonConfig, type DaemonInfo, type HttpListen, type PlanEvent, type RunnerKind } from "../../protocol/index.ts";
import type { DurablePlan } from "../journal/codec.ts";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { createLogger, type Logger } from "../../lib/logger.ts";
import { PlanWatcher } from "../../inbox/watcher.ts";
import { DaemonApi } from "../control/api.ts";
import { ControlServer } from "../control/server.ts";
import { HttpServer } from "../http/server.ts";
import { Engine } from "../engine/engine.ts";
import { killGroup } from "../process/group.ts";
import { baseEnv } from "../process/env.ts";
import { AnthropicRunner } from "../runners/anthropic/runner.ts";
import { CommandRunner } from "../runners/command.ts";
import { startSandbox, type StartedSandbox } from "../sandbox/start.ts";
import { openChannelFor } from "../control/agent-channel.ts";
import { ticketList } from "../status/render.ts";
import { loadApiKey, type ApiKeySource } from "../process/api-key.ts";
import { GroupRegistry, useGroupRegistry } from "../process/registry.ts";
import { claudeCodeRunner } from "../runners/claude-code/setup.ts";
import { claudeCodeReviewer } from "../gates/judge-claude-code.ts";
import { TreeAuditor } from "../territory/audit.ts";
import { compileDefaultsOf, loadConfig } from "../../inbox/config.ts";
import { thisMachine } from "../../inbox/can-run.ts";
import { acquireLock, type Lock } from "./lock.ts";
import { Lifecycle } from "./state.ts";
import { Journal } from "../journal/journal.ts";
import { rebuild } from "../journal/replay.ts";
import { VERSION } from "../version.ts";

export interface DaemonOptions {
  root: string;
  /** the control socket; default: defaultSocketPath(root) */
  socket?: string;
  /** defaults for compiled plans; default: O/purple.yaml when present */
  config?: string;
  maxAgents: number;
  logLevel: string;
  graceMs: number;
  retryBaseMs: number;
  rescanMs: number;
  maxPlanBytes: number;
  /** serve the web view here (else O/purple.yaml's http:, else none) */
  http?: HttpListen;
  /** overrides O/purple.yaml's `sandbox` */
  sandbox?: "on" | "off";
}

/** Run purpled until it is stopped; resolves with the process exit code. */
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const logger = createLogger(opts.logLevel);
  let root: string;
  try {
    root = realpathSync(opts.root);
  } catch {
    logger.error({ root: opts.root }, "the root directory does not exist");
    return 2;
  }
  const orchestration = join(root, ".context-kit", "orchestration");
  const stateDir = join(orchestration, ".purple");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });

  // The API key is read once (from a 0600 file, else the environment; process/api-key.ts) and
  // removed from this process's environment below, so no child process can inherit it.
  let config: DaemonConfig;
  let keySource: ApiKeySource;
  try {
    config = loadConfig(orchestration, opts.config);
    keySource = loadApiKey({ orchestration, apiKeyFile: config.apiKeyFile });
  } catch (err) {
    const e = asPurpleError(err);
    logger.error({ code: e.code }, e.message);
    process.stderr.write(`purpled: ${e.message}\n`);
    return 2;
  }

  const apiKey = keySource.key;
  if (keySource.warning) logger.warn({ apiKey: keySource.from }, keySource.warning);
  const baseURL = process.env.ANTHROPIC_BASE_URL || undefined;
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.ANTHROPIC_AUTH_TOKEN;
  // Claude Code agents, when `claude` is here: they reach the API through purpled's key proxy.
  const claude = claudeCodeRunner({ config, root, apiKey, baseURL, logger });

  const life = new Lifecycle((from, to) => logger.debug({ from, to }, "lifecycle"));
  const retry = { baseMs: opts.retryBaseMs, maxMs: 300_000 };
  const infoPath = join(stateDir, "daemon.json");
  const socket = opts.socket ?? defaultSocketPath(root);
  const startedAt = new Date().toISOString();
  let lock: Lock | null = null;
  let journal: Journal | null = null;
  let publish: (e: PlanEvent) => void = () => {};
  let watcher: PlanWatcher | null = null;
  let engine: Engine | null = null;
  let api: DaemonApi | null = null;
  let server: ControlServer | null = null;
  let http: HttpServer | null = null;
  let forced = false;
  let sandbox: StartedSandbox | null = null;
  /** daemon.json is ours to remove only once we wrote it (a refused second daemon must not touch the winner's) */
  let published = false;
  let stop!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => (stop = resolve));
  const beginDrain = (why: Record<string, unknown>) => {
    life.to("draining");
    logger.info(why, "draining: no new agents; running agents are asked to stop");
    void drain(engine, watcher, logger).then(() => {
      if (life.can("stopping")) life.to("stopping");
      stop(0);
    });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (life.state === "starting" || life.state === "running") return beginDrain({ signal: sig });
    if (life.state !== "draining") return;
    life.to("stopping");
    const groups = engine?.liveGroups() ?? [];
    logger.warn({ signal: sig, groups }, "forced stop: killing every agent process group");
    for (const pgid of groups) killGroup(pgid, "SIGKILL");
    forced = true;
    stop(1);
  };

  /**
   * The state folder O/.purple, in a fixed order: the folder, the lock, the journal (opened and
   * replayed at the first start; a fresh segment and a snapshot when O was recreated), the
   * territory audit's baseline, the engine (first start: its plans restored), the control
   * socket, daemon.json. Start-up and the rebuild after O is deleted and recreated are this
   * one function, so the daemon stays single, reachable and durable either way.
   */
  const establish = async (first: boolean): Promise<void> => {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    lock = acquireLock(stateDir);
    let recovered: DurablePlan[] = [];
    let leftovers: number[] = [];
    if (first) {
      // Process groups a previous run left behind die first, if provably its own (process/registry.ts).
      const groups = new GroupRegistry(stateDir);
      leftovers = groups.reapLeftovers();
      useGroupRegistry(groups);
      const off = (opts.sandbox ?? config.sandbox) === "off";
      sandbox = startSandbox(root, stateDir, socket, off, (plan, agent) => openChannelFor(api!, socket, plan, agent, () => ticketIdsOf(engine!, plan, agent), logger), logger);
      const opened = Journal.open(stateDir);
      journal = opened.journal;
      for (const w of opened.recovered.warnings) logger.warn(w);
      recovered = rebuild(opened.recovered, { retry });
    } else {
      journal!.restart();
      engine!.snapshot();
    }
    // With a sandbox every change is checked when its process ends; the after-the-fact audit is only for `sandbox: off`.
    const auditor = sandbox!.info.kind === "off" ? await TreeAuditor.open(root, join(stateDir, "audit")) : null;
    if (first) {
      const anthropic = new AnthropicRunner({ apiKey, baseURL });
      engine = new Engine({
        root,
        maxAgents: opts.maxAgents,
        runners: { command: new CommandRunner(), anthropic, ...(claude ? { "claude-code": claude } : {}) },
        reviewer: anthropic.access,
        ...(claude ? { claudeReviewer: claudeCodeReviewer(claude.reviewAccess()) } : {}),
        auditor,
        logger,
        gateEnv: { ...baseEnv(), PURPLE_ROOT: root },
        retry,
        graceMs: opts.graceMs,
        onEvent: (e) => publish(e),
        journal: journal!,
        executor: sandbox!.executor,
        speculate: config.speculate,
      });
      if (recovered.length > 0) {
        // A journaled pgid is killed only when the registry proved it ours (reaped above): a reused pid is never signalled.
        const killed = engine.restore(recovered, (pgid) => leftovers.includes(pgid));
        logger.info({ plans: recovered.length, killedGroups: killed }, "state recovered from the journal");
      }
      api = new DaemonApi({
        engine,
        root,
        version: VERSION,
        sandbox: sandbox!.info,
        startedAt: Date.now(),
        shutdown: () => {
          if (life.state === "running" || life.state === "starting") beginDrain({ request: "daemon.shutdown" });
        },
        // what plan.submit checks a plan against: this daemon's key, PATH and claudePath
        machine: { ...thisMachine(root, process.env, config), hasApiKey: apiKey !== undefined, serves: Object.keys(engine.opts.runners) as RunnerKind[] },
      });
      const a = api;
      publish = (e) => a.publish(e);
    } else if (auditor) engine!.checkpoints.setAuditor(auditor);
    await server?.close().catch(() => {});
    server = await ControlServer.listen(socket, api!, { logger });
    const web = opts.http ?? config.http;
    if (first && web) http = HttpServer.start({ ...web, handler: api!, root, orchestration, stateDir, maxAgents: opts.maxAgents, logger });
    else http?.restoreToken();
    writeFileAtomic(infoPath, JSON.stringify({ pid: process.pid, socket: server.path, version: VERSION, startedAt, root, sandbox: sandbox!.info, ...(http ? { http: http.url } : {}) } satisfies DaemonInfo, null, 2) + "\n");
    published = true;
  };

  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    try {
      await establish(true);
    } catch (err) {
      // a second daemon (ALREADY_RUNNING) or a journal it must not guess past: say so plainly
      const e = asPurpleError(err);
      logger.error({ code: e.code }, e.message);
      process.stderr.write(`purpled: ${e.message}\n`);
      life.to("stopping");
      return 1;
    }
    const eng = engine!;
    watcher = new PlanWatcher({
      root,
      onRecreated: async () => {
        await establish(false);
        logger.warn({ dir: stateDir }, "the orchestration directory was deleted and recreated; purpled rebuilt its state folder");
      },
      logger,
      maxBytes: opts.maxPlanBytes,
      rescanMs: opts.rescanMs,
      compileDefaults: compileDefaultsOf(config, claude !== null),
      onRejected: (item, problems) => api?.rejected(item, problems),
      ...(config.compile.model ? { modelCompile: { apiKey, baseURL } } : {}),
      runners: Object.keys(eng.opts.runners) as RunnerKind[],
      known: (name) => eng.plans.get(name)?.meta.hash ?? null,
      onPlan: (p) => eng.submit({ plan: p.plan, dir: p.dir, hash: p.hash, source: p.source, approval: p.approval, mergeProgress: p.mergeProgress }),
    });
    await watcher.start();
    if (life.state === "starting") {
      life.to("running");
      logger.info({ root, socket: server!.path, http: (http as HttpServer | null)?.url, maxAgents: opts.maxAgents, version: VERSION, sandbox: sandbox!.info.kind, apiKey: keySource.from }, "purpled started");
    }
    return await stopped;
  } catch (err) {
    const e = asPurpleError(err);
    logger.error({ err, code: e.code }, `purpled could not start: ${e.message}`);
    if (life.can("stopping")) life.to("stopping");
    return 1;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    // (set inside establish(), which the type checker cannot follow: hence the casts)
    await watcher?.close().catch(() => {});
    await (server as ControlServer | null)?.close().catch((err: unknown) => logger.warn({ err }, "closing the control socket failed"));
    await (http as HttpServer | null)?.stop().catch((err: unknown) => logger.warn({ err }, "closing the web view failed"));
    claude?.close();
    if (!forced) (engine as Engine | null)?.snapshot(); // a clean stop leaves a compact journal behind
    (journal as Journal | null)?.close();
    if (published) try { unlinkSync(infoPath); } catch {}
    (lock as Lock | null)?.release();
    life.to("stopped");
    logger.info("purpled stopped");
  }
}

/** The engine stops starting agents at once (drain() marks it before its first await); then the watcher closes. */
async function drain(engine: Engine | null, watcher: PlanWatcher | null, logger: Logger): Promise<void> {
  const drained = engine?.drain();
  await watcher?.close().catch((err) => logger.warn({ err }, "closing the watcher failed"));
  await drained;
}

/** The ticket ids of one agent of a plan (what its channel lets it start and complete). */
function ticketIdsOf(engine: Engine, plan: string, agent: string): string[] {
  const info = engine.plans.get(plan)?.index.agents.get(agent);
  return info ? ticketList(info.agent, agent).map((t) => t.id) : [];
}
