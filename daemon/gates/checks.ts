// Gate and contract checks (SPEC §4): run, exists, contains, exports, contract, manual. Each
// check gives one CheckResult; a check never throws. A manual check fails (blocking the plan)
// until a person approves it. judge asks a reviewer model through ctx.judge (gates/judge.ts).
// Files are looked at through target-file.ts: async, regular files only, capped; a contains
// pattern runs in a worker with a time limit (pattern-test.ts) (issue 14).
import { checkKind, checkTarget, parseDuration, type CheckResult, type GateCheck, type Plan } from "../../protocol/index.ts";
import { spawnGroup } from "../process/group.ts";
import type { View } from "../sandbox/view.ts";
import { PATTERN_TIME_LIMIT_MS, testPattern } from "./pattern-test.ts";
import { kindOf, locate, MAX_CHECK_BYTES, readTarget, type ReadResult } from "./target-file.ts";

export interface CheckContext {
  root: string;
  plan: Plan;
  /** environment for `run` commands */
  env: Record<string, string>;
  /** for `run` checks with no timeout of their own (SPEC: 10m) */
  defaultTimeoutMs: number;
  graceMs: number;
  /** aborting stops a running command (the daemon is draining) */
  signal?: AbortSignal;
  /** a person approved this gate's manual checks (`purplectl approve PLAN`) */
  approved?: boolean;
  /** indexes of checks a person passed by decision (`approve --override`): recorded as such, not run */
  overridden?: ReadonlySet<number>;
  /** a sandbox view for each `run` command, whose changes are discarded (null: `sandbox: off`) */
  gateView?: () => View | null;
  /** asks a reviewer model (gates/judge.ts) whether a judge check's statement holds */
  judge?: (check: { text: string; model?: string }) => Promise<{ passed: boolean; output: string; verdict?: CheckResult["verdict"]; usage: NonNullable<CheckResult["usage"]> }>;
}

const TAIL_BYTES = 4096;

/** Run every check in order (all of them, so the result shows every failure). */
export async function runChecks(checks: readonly GateCheck[], ctx: CheckContext): Promise<{ passed: boolean; results: CheckResult[] }> {
  const results: CheckResult[] = [];
  for (const [i, check] of checks.entries()) {
    if (ctx.signal?.aborted) break;
    if (ctx.overridden?.has(i)) {
      results.push({ kind: checkKind(check), target: checkTarget(check), passed: true, durationMs: 0, output: "passed by a person's decision (purplectl approve --override); not run", exitCode: null, overridden: true });
      continue;
    }
    results.push(await runCheck(check, ctx, 0));
  }
  return { passed: results.length === checks.length && results.every((r) => r.passed), results };
}

/** One check's result. */
export async function runCheck(check: GateCheck, ctx: CheckContext, depth = 0): Promise<CheckResult> {
  const started = performance.now();
  const target = checkTarget(check);
  const done = (passed: boolean, output: string, exitCode: number | null = null): CheckResult => ({
    kind: checkKind(check),
    target,
    passed,
    durationMs: Math.round(performance.now() - started),
    output,
    exitCode,
  });
  try {
    if ("run" in check) {
      const spec = typeof check.run === "string" ? { command: check.run, timeout: undefined } : check.run;
      const timeoutMs = spec.timeout ? parseDuration(spec.timeout) : ctx.defaultTimeoutMs;
      const r = await runCommand(spec.command, timeoutMs, ctx);
      return done(r.code === 0 && !r.timedOut, r.timedOut ? `${r.tail}\n[timed out after ${timeoutMs} ms]` : r.tail, r.code);
    }
    if ("exists" in check) {
      // A file or a directory exists; a FIFO, socket or device at the path does not count.
      const where = await locate(ctx.root, check.exists);
      if (where.kind === "refused") return done(false, where.reason);
      if (where.kind === "missing") return done(false, `${check.exists} does not exist`);
      const ok = where.stats.isFile() || where.stats.isDirectory();
      return done(ok, ok ? "exists" : `${check.exists} is ${kindOf(where.stats)}, not a file or a directory`);
    }
    if ("contains" in check) {
      const { file, pattern } = check.contains;
      const read = await readTarget(ctx.root, file);
      if (read.kind !== "text") return done(false, unreadable(file, read));
      const r = await testPattern(pattern, read.text);
      if (r.kind === "timeout") return done(false, `the pattern ran over ${PATTERN_TIME_LIMIT_MS} ms on ${file} and was stopped (a pattern that backtracks badly?)`);
      if (r.kind === "error") return done(false, `the pattern could not be run: ${r.message}`);
      return done(r.found, (r.found ? "pattern found" : `pattern not found in ${file}`) + cutNote(read));
    }
    if ("exports" in check) {
      const { file, names } = check.exports;
      const read = await readTarget(ctx.root, file);
      if (read.kind !== "text") return done(false, unreadable(file, read));
      const missing = names.filter((n) => !exportsName(read.text, n));
      return done(missing.length === 0, (missing.length ? `not exported: ${missing.join(", ")}` : "all exported") + cutNote(read));
    }
    if ("contract" in check) {
      const contract = ctx.plan.contracts.find((c) => c.id === check.contract);
      if (!contract) return done(false, `no contract ${check.contract}`);
      if (depth > 4) return done(false, "contracts refer to each other too deeply");
      const subs: CheckResult[] = [];
      for (const sub of contract.checks) subs.push(await runCheck(sub, ctx, depth + 1));
      const lines = subs.map((s) => `${s.passed ? "pass" : "FAIL"} ${s.kind} ${s.target}${s.passed ? "" : `: ${lastLine(s.output)}`}`);
      return done(subs.every((s) => s.passed), lines.join("\n") || "the contract has no checks");
    }
    if ("judge" in check) {
      const j = typeof check.judge === "string" ? { text: check.judge } : check.judge;
      if (!ctx.judge) return done(false, "no reviewer model is available to this check");
      const r = await ctx.judge(j);
      return { ...done(r.passed, r.output), ...(r.verdict ? { verdict: r.verdict } : {}), usage: r.usage };
    }
    if (ctx.approved) return done(true, "approved by a person");
    return done(false, "waits for a person: run `purplectl approve PLAN` once it is done");
  } catch (err) {
    return done(false, err instanceof Error ? err.message : String(err));
  }
}

async function runCommand(command: string, timeoutMs: number, ctx: CheckContext): Promise<{ code: number | null; tail: string; timedOut: boolean }> {
  let tail = "";
  // In a sandbox, a gate command sees the project and may write scratch files; none of it reaches the project.
  const view = ctx.gateView?.() ?? null;
  const wrapped = view ? view.wrap(["bash", "-c", command], ctx.env, ctx.root) : { cmd: ["bash", "-c", command], env: ctx.env };
  const group = spawnGroup({
    cmd: wrapped.cmd,
    cwd: ctx.root,
    env: wrapped.env,
    onOutput: (chunk) => {
      tail = (tail + chunk).slice(-TAIL_BYTES);
    },
  });
  let timedOut = false;
  const stop = () => void group.terminate(ctx.graceMs);
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, timeoutMs);
  ctx.signal?.addEventListener("abort", stop, { once: true });
  try {
    const { code } = await group.exited;
    return { code, tail: tail.trimEnd(), timedOut };
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener("abort", stop);
    view?.dispose();
  }
}

function unreadable(file: string, read: Exclude<ReadResult, { kind: "text" }>): string {
  return read.kind === "missing" ? `${file} does not exist` : read.reason;
}

const cutNote = (read: { truncated: boolean; size: number }) =>
  read.truncated ? ` (only the first ${MAX_CHECK_BYTES} of its ${read.size} bytes were read)` : "";

/**
 * Does this source text export `name` (declaration, `export { … }` list, or `export default name`)?
 * The text is agent-written: the `{ … }` lists are found by indexOf, never by a regex that could
 * rescan the rest of the file once per unclosed brace.
 */
export function exportsName(text: string, name: string): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const decl = new RegExp(`export\\s+(?:declare\\s+)?(?:default\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:function\\*?|class|const|let|var|interface|type|enum|namespace)\\s+${n}\\b`);
  const def = new RegExp(`export\\s+default\\s+${n}\\b`);
  return decl.test(text) || def.test(text) || inExportList(text, new RegExp(`^(?:[^}]*[\\s,])?(?:\\w+\\s+as\\s+)?${n}\\b`));
}

// Some `export {…}` / `export type {…}` list whose body matches `item`.
function inExportList(text: string, item: RegExp): boolean {
  const opener = /export\s+(?:type\s+)?\{/g;
  for (let m = opener.exec(text); m; m = opener.exec(text)) {
    const close = text.indexOf("}", opener.lastIndex);
    if (close < 0) return false;
    if (item.test(text.slice(opener.lastIndex, close))) return true;
    opener.lastIndex = close + 1;
  }
  return false;
}

const lastLine = (s: string) => s.trimEnd().split("\n").pop() ?? "";
