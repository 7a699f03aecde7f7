// A judge check answered by Claude Code (the plan's runner is claude-code): `claude -p` with the
// judge's brief on stdin, the reviewer's system prompt, only Read/Glob/Grep (args.ts
// reviewerArgv), working directory the project, and its answer forced into the Verdict schema
// with --json-schema. The verdict is the result's structured_output, checked against the same zod
// Verdict as the SDK reviewer's; anything else is a failed check saying why. It reaches the API
// only through purpled's key proxy (a token valid while it runs); its usage is charged through
// `spend` as it comes (StreamStatus, the same accounting as an agent's) and corrected by the
// result's totals. It runs in a gate view when there is a sandbox (everything it might write,
// its own config and home included, lives in the view's private /tmp or is discarded with the
// view); with `sandbox: off` it has no write tool at all and its scratch is a temp folder
// removed afterwards. Its stream-json lines are kept in validation/judge/<subject>/transcript.jsonl.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { z } from "zod";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { scrubSecrets } from "../../lib/logger.ts";
import { zeroUsage, type Usage } from "../../protocol/index.ts";
import { JUDGE_SYSTEM_CLAUDE_CODE, judgeBrief, subjectDir, type JudgeBriefInput } from "./judge-brief.ts";
import { unavailableReviewer, type Reviewer, type ReviewRequest } from "./reviewer.ts";
import { noVerdict, outcomeOf, saidNote, VERDICT_JSON_SCHEMA, type JudgeOutcome } from "./verdict.ts";
import { baseEnv } from "../process/env.ts";
import { groupRegistry } from "../process/registry.ts";
import type { View } from "../sandbox/view.ts";
import { formatMs } from "../runners/shared.ts";
import { claudeEnv, reviewerArgv } from "../runners/claude-code/args.ts";
import { parseStreamLine, type ResultLine } from "../runners/claude-code/events.ts";
import type { ClaudeReviewAccess } from "../runners/claude-code/runner.ts";
import { startAgentProcess } from "../runners/claude-code/spawn.ts";
import { StreamStatus, type Verdict as SessionEnd } from "../runners/claude-code/status.ts";

export interface ClaudeReviewerOptions extends ClaudeReviewAccess {
  /** the whole review may take this long (default 10 min) */
  timeoutMs?: number;
  /** no event for this long ends it (default 5 min); default from the runner */
  stallMs?: number;
  graceMs?: number;
}

/** The reviewer of a claude-code plan's judge checks, or one that fails each check saying why there is none. */
export function claudeCodeReviewer(access: ClaudeReviewAccess | { unavailable: string }): Reviewer {
  return "unavailable" in access ? unavailableReviewer(access.unavailable) : new ClaudeCodeReviewer(access);
}

export class ClaudeCodeReviewer implements Reviewer {
  constructor(private readonly o: ClaudeReviewerOptions) {}

  async review(brief: JudgeBriefInput, r: ReviewRequest): Promise<JudgeOutcome> {
    const dir = join(brief.planDir, "validation", "judge", subjectDir(brief.subject));
    let view: View | null = null;
    let host: string | null = null;
    const token = this.o.proxy.issue();
    try {
      mkdirSync(dir, { recursive: true });
      const prompt = judgeBrief(brief);
      writeFileAtomic(join(dir, "prompt.md"), scrubSecrets(`# System\n\n${JUDGE_SYSTEM_CLAUDE_CODE}\n\n# Brief\n\n${prompt}\n`));
      view = r.view?.() ?? null;
      // Claude Code's config and home: in the view's private /tmp, or a temp folder of our own.
      host = view ? null : mkdtempSync(join(tmpdir(), "purple-judge-"));
      const base = host ?? "/tmp/purple-judge";
      const scratch = { config: join(base, "claude-config"), home: join(base, "home"), tmp: host ? join(base, "tmp") : "/tmp" };
      if (host) for (const d of [scratch.config, scratch.home, scratch.tmp]) mkdirSync(d, { recursive: true });
      const argv = reviewerArgv({ claude: this.o.claude, model: r.model, system: JUDGE_SYSTEM_CLAUDE_CODE, schema: VERDICT_JSON_SCHEMA });
      const env = { ...baseEnv(this.o.sourceEnv ?? process.env), ...claudeEnv(scratch, { url: this.o.proxy.url, token }, process.getuid?.() === 0) };
      // Inside the view its folders do not exist yet: made first, in the view's /tmp.
      const cmd = view ? ["sh", "-c", 'mkdir -p "$HOME" "$CLAUDE_CONFIG_DIR" && exec "$@"', "purple-judge", ...argv] : argv;
      return await this.run(cmd, env, brief.root, prompt, dir, view, r);
    } catch (err) {
      view?.dispose();
      return noVerdict(`Claude Code could not be asked: ${err instanceof Error ? err.message : String(err)}`, zeroUsage());
    } finally {
      this.o.proxy.revoke(token);
      if (host) rmSync(host, { recursive: true, force: true });
    }
  }

  private async run(argv: string[], env: Record<string, string>, root: string, prompt: string, dir: string, view: View | null, r: ReviewRequest): Promise<JudgeOutcome> {
    const graceMs = this.o.graceMs ?? 5000;
    const status = new StreamStatus({ startTicket() {}, completeTicket() {}, status() {}, spend: (u) => r.spend(u) }, r.model);
    let end: SessionEnd | null = null;
    let result: z.infer<typeof ResultLine> | null = null;
    let stopped: string | null = null;
    const transcript = join(dir, "transcript.jsonl");
    const stop = (why: string) => {
      stopped ??= why;
      proc.terminate(graceMs);
    };
    let stall: ReturnType<typeof setTimeout> | undefined;
    const arm = (extraMs = 0) => {
      clearTimeout(stall);
      stall = setTimeout(() => stop(`stalled: no event from Claude Code for ${formatMs(this.o.stallMs ?? 300_000)}`), (this.o.stallMs ?? 300_000) + extraMs);
    };
    const stderrFile = join(dir, "claude-stderr.log");
    const proc = startAgentProcess({
      argv, env, cwd: root, root, writable: [], stdin: prompt, stderrFile, sandbox: false, ctx: {}, view,
      onLine: (line) => {
        append(transcript, line);
        const ev = parseStreamLine(line);
        arm(ev?.kind === "api_retry" ? ev.retry_delay_ms : 0);
        if (!ev) return;
        if (ev.kind === "result") result = ev;
        const v = status.handle(ev);
        if (v && !end) {
          end = v;
          if (v.kind !== "finished") proc.terminate(graceMs);
        }
      },
    });
    // Recorded like a gate command's group, so a restart after a crash of purpled kills it.
    if (proc.pgid > 0) groupRegistry()?.add(proc.pgid, `judge reviewer (claude -p) of ${dir}`.slice(0, 200));
    arm();
    const timeoutMs = this.o.timeoutMs ?? 600_000;
    const timer = setTimeout(() => stop(`the reviewer took longer than ${formatMs(timeoutMs)} and was stopped`), timeoutMs);
    const onAbort = () => stop("the check was stopped (purpled is stopping or the plan was cancelled)");
    r.signal?.addEventListener("abort", onAbort, { once: true });
    if (r.signal?.aborted) onAbort();
    const exit = await proc.exited;
    if (proc.pgid > 0) groupRegistry()?.remove(proc.pgid);
    clearTimeout(timer);
    clearTimeout(stall);
    r.signal?.removeEventListener("abort", onAbort);
    proc.finish(false);
    append(transcript, JSON.stringify({ type: "purple", event: "end", at: new Date().toISOString(), exit }));
    return verdictOfSession({ stopped, end, result, exit, stderr: tail(stderrFile) }, status.usage);
  }
}

/**
 * How a reviewer's session comes to a check result: the structured answer when Claude Code
 * finished with one, else a failed check saying why. Pure.
 */
export function verdictOfSession(
  s: { stopped: string | null; end: SessionEnd | null; result: { structured_output?: unknown; result?: string } | null; exit: { code: number | null; signal: string | null; error?: string }; stderr?: string },
  usage: Usage,
): JudgeOutcome {
  if (s.end?.kind === "blocked") return noVerdict(s.end.message === "its budget is spent" ? "the plan's budget is spent" : s.end.message, usage);
  if (s.stopped) return noVerdict(s.stopped, usage);
  if (s.end && s.end.kind !== "finished") return noVerdict(s.end.kind === "wait" ? `Claude Code hit a usage limit (${s.end.message})` : s.end.message, usage);
  if (!s.result) {
    if (s.exit.error) return noVerdict(s.exit.error, usage);
    const how = s.exit.code !== null ? `exited with code ${s.exit.code}` : `was killed by ${s.exit.signal ?? "a signal"}`;
    return noVerdict(`Claude Code ${how} before its result${s.stderr ? `: ${s.stderr}` : ""}`, usage);
  }
  if (s.result.structured_output === undefined) {
    return noVerdict(`the reviewer answered without a structured verdict${saidNote(s.result.result ?? "")}`, usage);
  }
  return outcomeOf(s.result.structured_output, usage);
}

function append(file: string, line: string): void {
  try {
    appendFileSync(file, `${scrubSecrets(line)}\n`);
  } catch {
    // a full disk costs the record, not the verdict
  }
}

function tail(file: string): string {
  try {
    return scrubSecrets(readFileSync(file, "utf8").trim().slice(-300)).replace(/\s+/g, " ");
  } catch {
    return "";
  }
}
