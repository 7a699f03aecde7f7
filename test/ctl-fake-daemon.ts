// Test support for purplectl: the real control server (daemon/control/server.ts: its framing,
// validation, error mapping and event streaming) on a temp Unix socket, with a scripted handler
// standing in for the daemon's API — it records every request and answers from per-method
// handlers; fixtures that pass the protocol's schemas; and purplectl run as a real child process.
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../lib/logger.ts";
import { ControlServer, type RpcHandler } from "../daemon/control/server.ts";
import { PurpleError, type ErrorCode } from "../protocol/errors.ts";
import type { PlanEvent } from "../protocol/events.ts";
import { PROTOCOL_VERSION, type DaemonStatusResult, type PlanDetail, type PlanSummary } from "../protocol/rpc.ts";
import { PlanStatus, type AgentStatus, type PlanState } from "../protocol/status.ts";

export const BUN = process.execPath;
export const CTL = join(import.meta.dir, "..", "ctl", "main.ts");
const NOW = new Date().toISOString();

export type Handler = (params: any) => unknown;
/** Returned by a handler: that request is never answered. */
export const NO_ANSWER = Symbol("no answer");
/** Thrown by a handler: the server answers it as a JSON-RPC error with data.code. */
export class FakeRpcError extends PurpleError {
  constructor(dataCode: ErrorCode, message: string) {
    super(dataCode, message);
  }
}

/** The real control server on `socketPath`, answering from scripted handlers. */
export class FakeDaemon implements RpcHandler {
  readonly requests: { method: string; params: unknown }[] = [];
  private readonly subscribers = new Set<(e: PlanEvent) => void>();
  private server: ControlServer | null = null;
  private subscribed!: () => void;
  /** resolves once a client has called events.subscribe */
  readonly subscribedOnce = new Promise<void>((r) => (this.subscribed = r));

  private constructor(readonly socketPath: string, readonly handlers: Record<string, Handler>) {}

  /** Listen on `socketPath` (resolves once the socket accepts connections). */
  static async start(socketPath: string, handlers: Record<string, Handler> = {}): Promise<FakeDaemon> {
    const d = new FakeDaemon(socketPath, handlers);
    d.server = await ControlServer.listen(socketPath, d, { logger: silentLogger() });
    return d;
  }

  call(method: string, params: unknown): any {
    this.requests.push({ method, params });
    const handler = this.handlers[method] ?? DEFAULTS[method];
    if (!handler) throw new FakeRpcError("METHOD_NOT_FOUND", `the scripted daemon has no handler for ${method}`);
    const result = handler(params ?? {});
    return result === NO_ANSWER ? new Promise(() => {}) : result;
  }

  subscribe(filter: { plan?: string }, send: (e: PlanEvent) => void): () => void {
    this.requests.push({ method: "events.subscribe", params: filter });
    const handler = this.handlers["events.subscribe"];
    if (handler) handler(filter);
    this.subscribers.add(send);
    queueMicrotask(this.subscribed);
    return () => this.subscribers.delete(send);
  }

  isDraining(): boolean {
    return false;
  }

  /** Stream an event to every subscriber (the server filters by plan). */
  emit(event: PlanEvent): void {
    for (const send of this.subscribers) send(event);
  }

  /** The methods called so far, in order. */
  methods(): string[] {
    return this.requests.map((r) => r.method);
  }

  stop(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }
}

const DEFAULTS: Record<string, Handler> = {
  "daemon.status": () => daemonStatus(),
};

/** A temp project root with O/ made, and the socket path the fake listens on (short enough for sun_path). */
export function fakeProject(): { root: string; socket: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "purple-ctl-fake-")));
  mkdirSync(join(root, ".context-kit", "orchestration", ".purple"), { recursive: true });
  return { root, socket: join(root, "d.sock") };
}

/** Record `socket` in the root's daemon.json, as purpled does. */
export function writeDaemonJson(root: string, socket: string | null): void {
  writeFileSync(join(root, ".context-kit", "orchestration", ".purple", "daemon.json"), JSON.stringify({ pid: process.pid, socket, version: "0.1.0", startedAt: NOW, root }));
}

export function summary(over: Partial<PlanSummary> = {}): PlanSummary {
  return { plan: "alpha", state: "running", reason: null, currentWave: "w1", waves: 2, wavesPassed: 0, agents: 3, completed: 1, running: 1, failed: 0, costUsd: 0.25, updatedAt: NOW, ...over };
}

export function daemonStatus(over: Partial<DaemonStatusResult> = {}): DaemonStatusResult {
  return { version: "0.1.0", protocol: PROTOCOL_VERSION, pid: 4242, root: "/srv/project", uptimeMs: 61_000, degraded: false, draining: false, plans: [summary()], ...over };
}

export function agent(id: string, wave: string, over: Partial<AgentStatus> = {}): AgentStatus {
  const usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
  return {
    agent: id, plan: "alpha", wave, state: "queued", attempt: 1, startedAt: null, completedAt: null, tickets: [], territory: [], changedFiles: [], violations: [],
    blockers: [], notes: [], usage, exitCode: null, reason: null, updatedAt: NOW, ...over,
  };
}

/** plan.get's answer for plan alpha: wave w1 (a, b), wave w2 (c). */
export function planDetail(state: PlanState = "running", agents?: AgentStatus[]): PlanDetail {
  const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.25 };
  const plan = {
    plan: "alpha", goal: "Test the client", state, reason: null, hash: "h", currentWave: "w1",
    waves: [{ id: "w1", title: "First", state: "running" as const, agents: ["a", "b"] }, { id: "w2", title: null, state: "pending" as const, agents: ["c"] }],
    counts: { queued: 1, running: 1, validating: 0, completed: 1, failed: 0, blocked: 0, cancelled: 0, interrupted: 0 },
    usage, startedAt: NOW, completedAt: null, updatedAt: NOW,
    // tolerate fields the status schema grows (e.g. a status bar), nullable by convention
    ...Object.fromEntries(Object.keys(PlanStatus.shape).filter((k) => k === "statusBar" || k === "failure").map((k) => [k, null])),
  } as PlanDetail["plan"];
  return {
    plan,
    agents: agents ?? [
      agent("a", "w1", { state: "completed", tickets: [{ id: "T1", title: "one", state: "completed" }, { id: "T2", title: "two", state: "completed" }] }),
      agent("b", "w1", { state: "running", tickets: [{ id: "T3", title: "three", state: "completed" }, { id: "T4", title: "four", state: "in_progress" }] }),
      agent("c", "w2"),
    ],
  };
}

/** A plan.state event. */
export function planStateEvent(to: PlanState, seq = 1): PlanEvent {
  return { seq, ts: new Date().toISOString(), plan: "alpha", type: "plan.state", from: "running", to, reason: null };
}

export interface CtlResult {
  code: number;
  out: string;
  err: string;
}

/** Run purplectl to completion (asynchronously: the fake daemon lives in this process). */
export async function ctl(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CtlResult> {
  const env = cleanEnv(opts.env);
  const proc = Bun.spawn([BUN, CTL, ...args], { cwd: opts.cwd ?? tmpdir(), env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

/** This process's environment without $PURPLE_SOCKET, plus `extra` (undefined removes a variable). */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = { ...process.env, PURPLE_SOCKET: undefined, PURPLE_PLAN: undefined, PURPLE_AGENT: undefined, ...extra };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Lines of a child's stdout, awaitable by content (never by fixed sleeps). */
export class LineWaiter {
  text = "";
  private waiters: { pred: (t: string) => boolean; resolve: () => void }[] = [];

  constructor(stream: ReadableStream<Uint8Array>) {
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        this.text += decoder.decode(chunk, { stream: true });
        this.waiters = this.waiters.filter((w) => (w.pred(this.text) ? (w.resolve(), false) : true));
      }
    })();
  }

  /** Resolves once the output so far contains `needle`; rejects after `ms` showing the output. */
  waitFor(needle: string, ms = 4000): Promise<void> {
    if (this.text.includes(needle)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${JSON.stringify(needle)}; output so far:\n${this.text}`)), ms);
      this.waiters.push({ pred: (t) => t.includes(needle), resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}
