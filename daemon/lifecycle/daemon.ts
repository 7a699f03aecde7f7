// The daemon's lifecycle, in one owner. Start in a fixed order — state dir, lock, logger,
// auditor, engine, control socket, watcher, daemon.json — then run until told to stop. The
// first SIGTERM or SIGINT (or daemon.shutdown) drains: no new agents, running ones get SIGTERM
// and end interrupted, files flushed, and the socket keeps answering (mutations get
// SHUTTING_DOWN) until then. A second signal forces (SIGKILL to every agent group). `finally`
// always closes the socket and removes daemon.json and the lock.
import { mkdirSync, realpathSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { asPurpleError, defaultSocketPath, type DaemonConfig, type DaemonInfo, type PlanEvent, type PlanSnapshot } from "../../protocol/index.ts";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { createLogger, type Logger } from "../../lib/logger.ts";
import { PlanWatcher } from "../../inbox/watcher.ts";
import { DaemonApi } from "../control/api.ts";
import { ControlServer } from "../control/server.ts";
import { Engine } from "../engine/engine.ts";
import { killGroup } from "../process/group.ts";
import { baseEnv } from "../process/env.ts";
import { AnthropicRunner } from "../runners/anthropic/runner.ts";
import { CommandRunner } from "../runners/command.ts";
import { sandboxAvailable } from "../runners/sandbox.ts";
import { TreeAuditor } from "../territory/audit.ts";
import { loadConfig } from "../../inbox/config.ts";
import { thisMachine } from "../../inbox/can-run.ts";
import { acquireLock, type Lock } from "./lock.ts";
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

  let config: DaemonConfig;
  try {
    config = loadConfig(orchestration, opts.config);
  } catch (err) {
    const e = asPurpleError(err);
    logger.error({ code: e.code }, e.message);
    process.stderr.write(`purpled: ${e.message}\n`);
    return 2;
  }

  let lock: Lock;
  try {
    lock = acquireLock(stateDir);
  } catch (err) {
    const e = asPurpleError(err);
    logger.error({ code: e.code }, e.message);
    process.stderr.write(`purpled: ${e.message}\n`);
    return 1;
  }

  // The API key is read once and then removed from this process's environment, so that no
  // child process (agents, gates, git) can ever inherit it; only the anthropic runner holds it.
  const apiKey = process.env.ANTHROPIC_API_KEY || undefined;
  const baseURL = process.env.ANTHROPIC_BASE_URL || undefined;
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.ANTHROPIC_AUTH_TOKEN;

  // The journal first: a previous run's state is rebuilt before anything new is looked at.
  let journal: Journal;
  let recovered: PlanSnapshot[];
  try {
    const opened = Journal.open(stateDir);
    journal = opened.journal;
    for (const w of opened.recovered.warnings) logger.warn(w);
    recovered = rebuild(opened.recovered);
  } catch (err) {
    const e = asPurpleError(err);
    logger.error({ code: e.code }, e.message);
    process.stderr.write(`purpled: ${e.message}\n`);
    lock.release();
    return 1;
  }

  const infoPath = join(stateDir, "daemon.json");
  let publish: (e: PlanEvent) => void = () => {};
  let watcher: PlanWatcher | null = null;
  let engine: Engine | null = null;
  let server: ControlServer | null = null;
  let signals = 0;
  let forced = false;
  let stop!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => (stop = resolve));
  const beginDrain = (why: Record<string, unknown>) => {
    logger.info(why, "draining: no new agents; running agents are asked to stop");
    void drain(engine, watcher, logger).then(() => stop(0));
  };
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) beginDrain({ signal: sig });
    else {
      const groups = engine?.liveGroups() ?? [];
      logger.warn({ signal: sig, groups }, "forced stop: killing every agent process group");
      for (const pgid of groups) killGroup(pgid, "SIGKILL");
      forced = true;
      stop(1);
    }
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  try {
    const auditor = await TreeAuditor.open(root, join(stateDir, "audit"));
    const startedAt = new Date().toISOString();
    engine = new Engine({
      root,
      maxAgents: opts.maxAgents,
      runners: { command: new CommandRunner(), anthropic: new AnthropicRunner({ apiKey, baseURL }) },
      auditor,
      logger,
      gateEnv: { ...baseEnv(), PURPLE_ROOT: root },
      retry: { baseMs: opts.retryBaseMs, maxMs: 300_000 },
      graceMs: opts.graceMs,
      onEvent: (e) => publish(e),
      journal,
    });
    if (recovered.length > 0) {
      const killed = engine.restore(recovered, (pgid) => killGroup(pgid, "SIGKILL"));
      logger.info({ plans: recovered.length, killedGroups: killed }, "state recovered from the journal");
    }
    const eng = engine;
    const api = new DaemonApi({
      engine,
      root,
      version: VERSION,
      startedAt: Date.now(),
      shutdown: () => {
        if (signals++ === 0) beginDrain({ request: "daemon.shutdown" });
      },
      machine: { ...thisMachine(root, process.env, (config as { claudePath?: string }).claudePath), hasApiKey: apiKey !== undefined },
    });
    publish = (e) => api.publish(e);
    const socket = opts.socket ?? defaultSocketPath(root);
    server = await ControlServer.listen(socket, api, { logger });
    const auditDir = join(stateDir, "audit");
    // Deleting O takes O/.purple with it: lock, journal, audit baseline, socket, daemon.json.
    // Rebuild them in place before the recreated O is read, so the daemon stays single,
    // reachable and durable.
    const rebuildStateDir = async () => {
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      lock = acquireLock(stateDir);
      journal.restart();
      eng.snapshot();
      eng.checkpoints.setAuditor(await TreeAuditor.open(root, auditDir));
      await server?.close().catch(() => {});
      server = await ControlServer.listen(socket, api, { logger });
      writeFileAtomic(infoPath, JSON.stringify({ pid: process.pid, socket: server.path, version: VERSION, startedAt, root } satisfies DaemonInfo, null, 2) + "\n");
      logger.warn({ dir: stateDir }, "the orchestration directory was deleted and recreated; purpled rebuilt its state folder");
    };
    watcher = new PlanWatcher({
      root,
      onRecreated: rebuildStateDir,
      logger,
      maxBytes: opts.maxPlanBytes,
      rescanMs: opts.rescanMs,
      compileDefaults: config.defaults,
      onRejected: (item, problems) => api.rejected(item, problems),
      onPlan: (p) => eng.submit({ plan: p.plan, dir: p.dir, hash: p.hash, source: p.source, approval: p.approval, mergeProgress: p.mergeProgress }),
    });
    await watcher.start();
    const info: DaemonInfo = { pid: process.pid, socket: server.path, version: VERSION, startedAt, root };
    writeFileAtomic(infoPath, JSON.stringify(info, null, 2) + "\n");
    if (!sandboxAvailable()) logger.warn("bubblewrap (bwrap) is not available: command agents run unsandboxed, so their writes into .git/ and .context-kit/orchestration/ are not prevented; install the bubblewrap package");
    logger.info({ root, socket: server.path, maxAgents: opts.maxAgents, version: VERSION, sandbox: sandboxAvailable() }, "purpled started");
    return await stopped;
  } catch (err) {
    const e = asPurpleError(err);
    logger.error({ err, code: e.code }, `purpled could not start: ${e.message}`);
    return 1;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await watcher?.close().catch(() => {});
    await server?.close().catch((err) => logger.warn({ err }, "closing the control socket failed"));
    if (engine && !forced) engine.snapshot(); // a clean stop leaves a compact journal behind
    journal.close();
    try { unlinkSync(infoPath); } catch {}
    lock.release();
    logger.info("purpled stopped");
  }
}

/** The engine stops starting agents at once (drain() marks it before its first await); then the watcher closes. */
async function drain(engine: Engine | null, watcher: PlanWatcher | null, logger: Logger): Promise<void> {
  const drained = engine?.drain();
  await watcher?.close().catch((err) => logger.warn({ err }, "closing the watcher failed"));
  await drained;
}
