// The `claude-code` runner (SPEC §10): each attempt is a `claude -p --output-format stream-json`
// session in the agent's sandbox, working directory the project, with purple's plan prompt, the
// purple_* tools from `purplectl mcp`, a hook refusing writes outside the territory, and its own
// config, home and temp. Its events become status (status.ts); its conversation is resumed after
// a crash, drain or stall (session.ts). `done` never rejects.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../../lib/atomic-write.ts";
import { scrubSecrets } from "../../../lib/logger.ts";
import { appendNoFollow } from "../../process/safe-open.ts";
import { promptParts } from "../anthropic/prompt.ts";
import { sleep } from "../anthropic/wait.ts";
import { commandEnv } from "../command.ts";
import type { AgentRun, RunContext, Runner, RunResult } from "../runner.ts";
import { endedResult, formatMs, modelOf, settledRun, stoppedResult, timeLimit, type StopReason } from "../shared.ts";
import { BEGIN, claudeArgv, claudeEnv, helperCommands, scratchDirs, STANDARDS } from "./args.ts";
import { parseStreamLine } from "./events.ts";
import { KeyProxy } from "./key-proxy.ts";
import { chooseSession, writeSession } from "./session.ts";
import { startAgentProcess, type AgentProcess } from "./spawn.ts";
import { StreamStatus, type Verdict } from "./status.ts";

export interface ClaudeCodeRunnerOptions {
  /** the claude executable (findClaude); null: every run fails saying claude was not found */
  claude: string | null;
  /** purpled's API key (read once at start); it stays in purpled, behind the key proxy */
  apiKey: string | undefined;
  /** where the proxy forwards (ANTHROPIC_BASE_URL); default the public API */
  baseURL?: string;
  /** no event for this long ends the attempt as stalled (default 5 min) */
  stallMs?: number;
  /** run agents in the sandbox when one is available (default true) */
  sandbox?: boolean;
  /** the safe base variables come from here (default process.env) */
  sourceEnv?: Record<string, string | undefined>;
  /** argv running `purplectl` (default: helperCommands) */
  ctlCommand?: string[];
}

/** How a Claude Code reviewer reaches the model the way this runner's agents do. */
export interface ClaudeReviewAccess {
  claude: string;
  proxy: KeyProxy;
  stallMs?: number;
  sourceEnv?: Record<string, string | undefined>;
}

export const NO_CLAUDE_MESSAGE = "Claude Code was not found: install @anthropic-ai/claude-code so that `claude` is on purpled's PATH, or set claudePath in O/purple.yaml";
export const NO_KEY_MESSAGE = "no Anthropic API key for Claude Code agents: set ANTHROPIC_API_KEY in purpled's environment";

/** The prompt a resumed session is given: carry on, do not start over. */
const RESUME_PROMPT = "purple: your session was interrupted (purpled restarted, or the session stalled or waited for a limit) and has now resumed. Continue your tickets from where you stopped; check what you already wrote before writing it again.";

/** Runs agents whose runner is claude-code; one key proxy for all of them. */
export class ClaudeCodeRunner implements Runner {
  private readonly proxy: KeyProxy | null;
  /** its processes write through the attempt's sandbox view, unless told to run without one */
  readonly writes: "sandboxed" | "direct";

  constructor(private readonly opts: ClaudeCodeRunnerOptions) {
    this.proxy = opts.apiKey ? new KeyProxy(opts.apiKey, opts.baseURL) : null;
    this.writes = opts.sandbox === false ? "direct" : "sandboxed";
  }

  start(ctx: RunContext): AgentRun {
    if (!this.opts.claude) return settledRun(endedResult("failed", NO_CLAUDE_MESSAGE));
    if (!this.proxy) return settledRun(endedResult("failed", NO_KEY_MESSAGE));
    try {
      return new ClaudeRun(ctx, this.opts, this.opts.claude, this.proxy);
    } catch (err) {
      return settledRun(endedResult("failed", `could not start agent ${ctx.agent.id}: ${(err as Error).message}`));
    }
  }

  /** What a Claude Code reviewer (gates/judge-claude-code.ts) needs to reach the model as this runner's agents do, or why it cannot. */
  reviewAccess(): ClaudeReviewAccess | { unavailable: string } {
    if (!this.opts.claude) return { unavailable: NO_CLAUDE_MESSAGE };
    if (!this.proxy) return { unavailable: NO_KEY_MESSAGE };
    return { claude: this.opts.claude, proxy: this.proxy, ...(this.opts.stallMs ? { stallMs: this.opts.stallMs } : {}), ...(this.opts.sourceEnv ? { sourceEnv: this.opts.sourceEnv } : {}) };
  }

  /** Stop the key proxy (purpled is shutting down). */
  close(): void {
    this.proxy?.close();
  }
}

class ClaudeRun implements AgentRun {
  readonly done: Promise<RunResult>;
  private proc: AgentProcess | null = null;
  private launches = 0;
  private readonly firstPgid: number | null;
  private stop: StopReason | null = null;
  private readonly abort = new AbortController();
  private readonly transcript: string;
  private readonly scratch: ReturnType<typeof scratchDirs>;
  private readonly token: string;
  private readonly agentPart: string;
  private readonly systemAppend: string;
  private readonly stallMs: number;

  constructor(private readonly ctx: RunContext, private readonly opts: ClaudeCodeRunnerOptions, private readonly claude: string, private readonly proxy: KeyProxy) {
    this.scratch = scratchDirs(ctx.agentDir);
    for (const d of [ctx.agentDir, this.scratch.config, this.scratch.home, this.scratch.tmp]) mkdirSync(d, { recursive: true });
    this.transcript = join(ctx.agentDir, "transcript.jsonl");
    this.stallMs = opts.stallMs ?? 5 * 60_000;
    const parts = promptParts(ctx.plan, ctx.agent, ctx.wave, ctx.planDir, BEGIN);
    this.systemAppend = `${STANDARDS}\n\n${parts.plan}`;
    this.agentPart = parts.agent;
    writeFileAtomic(join(ctx.agentDir, "prompt.md"), scrubSecrets(`<!-- appended to Claude Code's system prompt: shared by every agent of the plan -->\n\n${this.systemAppend}\n\n<!-- the prompt -->\n\n${this.agentPart}\n`));
    this.token = proxy.issue();
    const first = this.launch();
    this.firstPgid = this.proc!.pgid > 0 ? this.proc!.pgid : null;
    this.done = this.run(first)
      .catch((err): RunResult => endedResult("failed", `agent ${ctx.agent.id} ended in an unexpected error: ${(err as Error).message}`))
      .then((r) => {
        this.abort.abort();
        proxy.revoke(this.token);
        this.note({ type: "purple", event: "end", outcome: r.outcome, message: r.message });
        return r;
      });
  }

  get pgid(): number | null {
    return this.firstPgid;
  }

  cancel(reason: string): void {
    this.halt({ kind: "cancelled", reason });
  }

  private halt(stop: StopReason): void {
    if (this.stop) return;
    this.stop = stop;
    this.abort.abort();
    this.proc?.terminate(this.ctx.graceMs);
  }

  // Sessions one after another: normally one; more when a usage limit is waited out.
  private async run(first: Promise<Launched>): Promise<RunResult> {
    void timeLimit(this.ctx.timeoutMs, this.abort.signal, () => this.halt({ kind: "timeout" }));
    let launched = await first;
    for (;;) {
      const { verdict, exit, status } = launched;
      const usage = status.usage;
      if (this.stop) return { ...stoppedResult(this.stop, this.ctx.timeoutMs), usage };
      const base = { exitCode: exit.code, signal: exit.signal, usage };
      if (verdict?.kind === "wait") {
        this.ctx.reporter.status(verdict.message);
        await sleep(verdict.at - Date.now(), this.abort.signal);
        if (this.stop) continue; // the checks above end it
        launched = await this.launch();
        continue;
      }
      if (verdict?.kind === "finished" && exit.code !== 0) return { ...base, outcome: "failed", message: `Claude Code reported success but exited with code ${exit.code ?? exit.signal}` };
      if (verdict) return { ...base, outcome: verdict.kind, message: verdict.message };
      if (exit.error) return { ...base, outcome: "failed", message: exit.error };
      const how = exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal ?? "a signal"}`;
      return { ...base, outcome: "failed", message: `Claude Code ${how} before its result${this.stderrTail()}` };
    }
  }

  // Start one claude process (resuming the agent's session when the last one was cut short).
  private launch(): Promise<Launched> {
    const ctx = this.ctx;
    // A session whose work was discarded (speculation) is not resumed: it knows of edits the project never got.
    const session = ctx.freshSession && this.launches++ === 0 ? { sessionId: crypto.randomUUID(), resume: false } : chooseSession(ctx.agentDir, ctx.root, this.scratch.config);
    const runner = ctx.agent.runner?.kind === "claude-code" ? ctx.agent.runner : undefined;
    const model = modelOf(ctx);
    const helpers = helperCommands();
    const argv = claudeArgv({
      claude: this.claude,
      ...session,
      model,
      systemAppend: this.systemAppend,
      hookCommand: helpers.hook,
      mcpCommand: [...(this.opts.ctlCommand ?? helpers.ctl), "mcp"],
      ...(ctx.agent.budgetUsd !== undefined ? { maxBudgetUsd: ctx.agent.budgetUsd } : {}),
      extraArgs: runner?.args ?? [],
    });
    const source = this.opts.sourceEnv ?? process.env;
    const env = { ...commandEnv(ctx, join(ctx.agentDir, "prompt.md"), source), ...claudeEnv(this.scratch, { url: this.proxy.url, token: this.token }, process.getuid?.() === 0) };
    const startedAt = new Date().toISOString();
    writeSession(ctx.agentDir, { sessionId: session.sessionId, cwd: ctx.root, attempt: ctx.attempt, startedAt, ended: null });
    this.note({ type: "purple", event: "start", attempt: ctx.attempt, sessionId: session.sessionId, resume: session.resume });

    const status = new StreamStatus(ctx.reporter, model);
    let verdict: Verdict | null = null;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const settle = (v: Verdict) => {
      if (verdict) return;
      verdict = v;
      if (v.kind !== "finished") this.proc?.terminate(ctx.graceMs);
    };
    const arm = (extraMs = 0) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => settle({ kind: "failed", message: `stalled: no event from Claude Code for ${formatMs(this.stallMs)}` }), this.stallMs + extraMs);
    };
    const proc = startAgentProcess({
      argv,
      env,
      cwd: ctx.root,
      root: ctx.root,
      writable: [this.scratch.base],
      stdin: session.resume ? RESUME_PROMPT : this.agentPart,
      stderrFile: join(ctx.agentDir, "claude-stderr.log"),
      sandbox: this.opts.sandbox !== false,
      ctx,
      onLine: (line) => {
        this.append(line);
        const ev = parseStreamLine(line);
        arm(ev?.kind === "api_retry" ? ev.retry_delay_ms : 0);
        if (!ev) return;
        const v = status.handle(ev);
        if (v) settle(v);
      },
    });
    this.proc = proc;
    if (this.stop) proc.terminate(ctx.graceMs);
    arm();
    return proc.exited.then((exit) => {
      clearTimeout(watchdog);
      const outcome = this.stop?.kind ?? (verdict as Verdict | null)?.kind ?? "failed";
      const complete = status.sawResult && outcome !== "wait";
      // Its changes reach the project only when it finished cleanly (and every one is allowed).
      proc.finish(outcome === "finished" && exit.code === 0);
      writeSession(ctx.agentDir, { sessionId: session.sessionId, cwd: ctx.root, attempt: ctx.attempt, startedAt, ended: { at: new Date().toISOString(), outcome, complete } });
      return { verdict, exit, status };
    });
  }

  private append(line: string): void {
    try {
      appendNoFollow(this.transcript, `${scrubSecrets(line)}\n`);
    } catch {
      // a full disk (or a planted link) costs the record, not the run
    }
  }

  private note(record: Record<string, unknown>): void {
    this.append(JSON.stringify({ ...record, at: new Date().toISOString() }));
  }

  private stderrTail(): string {
    try {
      const text = readFileSync(join(this.ctx.agentDir, "claude-stderr.log"), "utf8").trim();
      return text ? `: ${scrubSecrets(text.slice(-300)).replace(/\s+/g, " ")}` : "";
    } catch {
      return "";
    }
  }
}

interface Launched {
  verdict: Verdict | null;
  exit: { code: number | null; signal: string | null; error?: string };
  status: StreamStatus;
}
