// Why a blocked or failed plan stopped, told so that a person can act: which agent or gate, why,
// the tail of its output (read from the files the runner and the gate wrote), the command that
// shows the whole log, and the next step. status.json and plan.get both carry it.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { PlanFailure } from "../../protocol/index.ts";
import type { PlanView } from "./render.ts";

/** Lines of output kept in the tail. */
const TAIL_LINES = 15;
const TAIL_BYTES = 8 * 1024;

/** The failure of a blocked or failed plan (null otherwise); `dir` is O/<plan>. */
export function describeFailure(view: PlanView, dir: string): PlanFailure | null {
  const { run, index } = view;
  if (run.state !== "failed" && run.state !== "blocked") return null;
  const root = resolve(dir, "..", "..", ".."); // O/<plan> is R/.context-kit/orchestration/<plan>
  const plan = run.name;
  const wave = run.waves[run.waveIndex];
  if (wave && (wave.state === "blocked" || wave.state === "failed") && run.reason?.startsWith("gate of wave")) {
    const file = join(dir, "validation", `${wave.id}.json`);
    const manual = index.waves[run.waveIndex]?.gate.some((c) => "manual" in c) ?? false;
    const checks = readChecks(file);
    const failed = failedChecks(checks, wave.id);
    const agents = index.waves[run.waveIndex]?.agents.map((a) => a.id) ?? [];
    // A gate-only wave has no agent to retry: fixing by hand and overriding remain.
    const retry = agents.length === 0 ? [] : [`\`purplectl retry ${plan} ${agents.length === 1 ? agents[0] : "AGENT"} --note "..."\` runs ${agents.length === 1 ? "the agent" : `an agent of the wave (${agents.join(", ")})`} again with your note in its prompt, then the gate`];
    const steps = [
      `fix what the failed checks name by hand, then \`purplectl resume ${plan}\` runs the gate again`,
      ...retry,
      overrideStep(plan, failed, wave.id, ""),
    ];
    if (manual) steps.unshift(`if a person's check is what waits, \`purplectl approve ${plan}\``);
    return {
      kind: "gate",
      subject: wave.id,
      reason: run.reason,
      outputTail: gateTail(checks),
      logCommand: `cat ${relative(root, file) || file}`,
      nextStep: steps[0]!,
      failedChecks: failed,
      ...(run.breaker ? { breaker: run.breaker.why } : {}),
      nextSteps: steps,
    };
  }
  // The agent that stopped the plan: the first to fail or block (the others were cancelled after it).
  const stopped = [...run.agents.values()]
    .filter((a) => a.state === "failed" || a.state === "blocked")
    .sort((a, b) => (a.completedAt ?? Infinity) - (b.completedAt ?? Infinity))[0];
  if (!stopped) {
    return { kind: "agent", subject: "", reason: run.reason ?? run.state, outputTail: "", logCommand: `purplectl logs ${plan}`, nextStep: `\`purplectl rerun ${plan}\` runs it again` };
  }
  const agentDir = join(dir, "agents", stopped.id);
  const contract = run.breaker?.subject.startsWith("contract:") ? run.breaker.subject.slice("contract:".length) : null;
  if (contract && stopped.state === "blocked") {
    const file = join(dir, "validation", "contracts", `${contract}.json`);
    const checks = readChecks(file);
    const failed = failedChecks(checks, contract);
    const steps = [
      `fix what the failed checks name by hand, then \`purplectl retry ${plan} ${stopped.id}\` (it runs again and the contract is checked again)`,
      `\`purplectl retry ${plan} ${stopped.id} --note "..."\` runs it again with your note in its prompt`,
      overrideStep(plan, failed, contract, " and checks the contract again"),
    ];
    return {
      kind: "agent",
      subject: stopped.id,
      reason: `agent ${stopped.id} ${stopped.state}: ${stopped.reason ?? "no reason given"}`,
      outputTail: gateTail(checks),
      logCommand: `cat ${relative(root, file) || file}`,
      nextStep: steps[0]!,
      failedChecks: failed,
      breaker: run.breaker!.why,
      nextSteps: steps,
    };
  }
  return {
    kind: "agent",
    subject: stopped.id,
    reason: `agent ${stopped.id} ${stopped.state}: ${stopped.reason ?? "no reason given"}`,
    outputTail: agentTail(agentDir),
    logCommand: `purplectl logs ${plan} ${stopped.id}`,
    nextStep: stopped.state === "blocked"
      ? `it needs a person (see why above); once that is dealt with, \`purplectl retry ${plan} ${stopped.id}\``
      : `fix the cause, then \`purplectl retry ${plan} ${stopped.id}\` (or \`purplectl rerun ${plan}\` to run the whole plan again)`,
  };
}

/** The next step that passes the failed checks of a gate or contract (`owner`) by a person's decision. */
function overrideStep(plan: string, failed: readonly string[], owner: string, then: string): string {
  return `\`purplectl approve ${plan} --override ${failed.length > 0 ? failed.join(",") : `${owner}#N`}\` passes ${failed.length === 1 ? "that check" : "those checks"} by your decision (recorded)${then}`;
}

/** The end of what the agent printed (output.log), or of what its model said and the API answered (transcript.jsonl). */
function agentTail(agentDir: string): string {
  const output = join(agentDir, "output.log");
  if (existsSync(output)) return lastLines(readEnd(output));
  const transcript = join(agentDir, "transcript.jsonl");
  if (!existsSync(transcript)) return "";
  const said: string[] = [];
  for (const line of readEnd(transcript).split("\n")) {
    let rec: { type?: string; status?: number | null; message?: unknown; outcome?: string };
    try {
      rec = JSON.parse(line);
    } catch {
      continue; // the first line of the window is usually cut
    }
    if (rec.type === "error") said.push(`API error${rec.status ? ` ${rec.status}` : ""}: ${String(rec.message)}`);
    else if (rec.type === "end") said.push(`ended ${rec.outcome}: ${String(rec.message)}`);
    else if (rec.type === "response") said.push(...textOf(rec.message));
  }
  return lastLines(said.join("\n"));
}

function textOf(message: unknown): string[] {
  const content = (message as { content?: unknown } | null)?.content;
  if (!Array.isArray(content)) return [];
  return content.flatMap((b: { type?: string; text?: unknown; name?: unknown }) => (b.type === "text" && typeof b.text === "string" ? [b.text] : b.type === "tool_use" ? [`(tool ${String(b.name)})`] : []));
}

interface RecordedCheck {
  kind: string;
  target: string;
  passed: boolean;
  output: string;
  exitCode: number | null;
}

/** The checks a validation file records (read once for both the failed ids and the tail); none when it is absent or unreadable. */
function readChecks(file: string): RecordedCheck[] {
  try {
    const checks = (JSON.parse(readEnd(file, 256 * 1024)) as { checks?: unknown }).checks;
    return Array.isArray(checks) ? (checks as RecordedCheck[]) : [];
  } catch {
    return [];
  }
}

/** The ids (`<owner>#<index>`) of the checks recorded as failed. */
function failedChecks(checks: readonly RecordedCheck[], owner: string): string[] {
  try {
    return checks.flatMap((c, i) => (c.passed ? [] : [`${owner}#${i}`]));
  } catch {
    return [];
  }
}

/** The failed checks of a validation file, each with its output. */
function gateTail(checks: readonly RecordedCheck[]): string {
  try {
    const failed = checks.filter((c) => !c.passed);
    return lastLines(failed.map((c) => `${c.kind} ${c.target}${c.exitCode !== null ? ` (exit ${c.exitCode})` : ""}:\n${c.output.trimEnd()}`).join("\n"), TAIL_LINES * 2);
  } catch {
    return "";
  }
}

function readEnd(file: string, bytes = TAIL_BYTES): string {
  try {
    const size = statSync(file).size;
    const len = Math.min(size, bytes);
    const buf = Buffer.alloc(len);
    const fd = openSync(file, "r");
    try {
      readSync(fd, buf, 0, len, size - len);
    } finally {
      closeSync(fd);
    }
    return buf.toString("utf8");
  } catch {
    return "";
  }
}

const lastLines = (text: string, n = TAIL_LINES): string => text.trimEnd().split("\n").slice(-n).join("\n");
