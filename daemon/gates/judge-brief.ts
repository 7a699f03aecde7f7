// What a reviewer model is shown for a judge check: the statement, the changes under review (the
// changed files' current contents, bounded), and the contract specs involved. Every file is read
// through the anthropic tools' path-safe reader, so nothing outside the project (or the plan
// folder, for specs) is ever shown, whatever a changed path or a spec path says.
import { realpathSync } from "node:fs";
import type { Contract, Plan } from "../../protocol/index.ts";
import { readFileTool } from "../runners/anthropic/read-tools.ts";

/** What is being judged: a wave's gate or one contract (and whose changes those are). */
export type JudgeSubject = { kind: "gate"; wave: string } | { kind: "contract"; contract: string };

export interface JudgeBriefInput {
  statement: string;
  plan: Plan;
  subject: JudgeSubject;
  /** the agents whose changes are under review */
  agents: string[];
  /** root-relative paths those agents changed */
  changedFiles: string[];
  /** the contracts whose specs the reviewer is given */
  contracts: Contract[];
  root: string;
  planDir: string;
}

const PER_FILE_BYTES = 12 * 1024;
const CHANGES_BYTES = 64 * 1024;
const SPEC_BYTES = 24 * 1024;
const MAX_LISTED = 500;

export const JUDGE_SYSTEM = [
  "You are the reviewer of one gate check in a purple orchestration plan: AI agents changed a project, and you decide whether a statement about their work holds.",
  "You are given the statement, the changes under review and the contract specs involved. Read any other project file you need with read_file and list_dir (read-only; paths relative to the project root).",
  "Answer by calling the verdict tool exactly once: pass is true only when the statement holds; reasons are short, concrete points (name what is missing or wrong when it fails); files are the project files your verdict rests on.",
  "Do not answer in prose: only the verdict tool counts.",
].join("\n");

/** The same reviewer on Claude Code: its read-only tools, and its answer through --json-schema. */
export const JUDGE_SYSTEM_CLAUDE_CODE = [
  "You are the reviewer of one gate check in a purple orchestration plan: AI agents changed a project, and you decide whether a statement about their work holds.",
  "You are given the statement, the changes under review and the contract specs involved. Your working directory is the project root; read any other project file you need with Read, Glob and Grep (read-only).",
  "Answer by calling the StructuredOutput tool exactly once: pass is true only when the statement holds; reasons are short, concrete points (name what is missing or wrong when it fails); files are the project files your verdict rests on, relative to the project root.",
  "Do not answer in prose: only the structured answer counts.",
].join("\n");

/** A judge conversation's own folder under validation/judge/. */
export function subjectDir(s: JudgeSubject): string {
  return s.kind === "gate" ? `gate-${s.wave}` : `contract-${s.contract}`;
}

/** The first user message of a judge conversation. */
export function judgeBrief(b: JudgeBriefInput): string {
  const what = b.subject.kind === "gate" ? `the gate of wave ${b.subject.wave}` : `contract ${b.subject.contract}`;
  const parts = [
    `Check: judge, for ${what} of plan ${b.plan.name}${b.plan.goal ? ` (goal: ${b.plan.goal})` : ""}`,
    `Statement: ${b.statement}`,
    "",
    `## Changes under review (agents: ${b.agents.join(", ") || "none"})`,
    changesSection(b.root, b.changedFiles),
  ];
  if (b.contracts.length) parts.push("", "## Contracts involved", ...b.contracts.map((c) => contractSection(c, b.planDir)));
  return parts.join("\n");
}

// Each changed file's current content, until the budget is spent; the rest by name only.
function changesSection(root: string, files: string[]): string {
  if (files.length === 0) return "(no files were changed by these agents)";
  const real = realpathSync(root);
  const out: string[] = [];
  let used = 0;
  const sorted = [...files].sort();
  for (const [i, path] of sorted.entries()) {
    if (i >= MAX_LISTED) {
      out.push(`[... ${sorted.length - MAX_LISTED} more changed files not listed]`);
      break;
    }
    if (used >= CHANGES_BYTES) {
      out.push(`### ${path}\n(not shown: the changes shown are already large; read it with read_file)`);
      continue;
    }
    const answer = readFileTool(real, { path });
    const text = answer.isError ? `(${answer.content})` : clip(answer.content, Math.min(PER_FILE_BYTES, CHANGES_BYTES - used), path);
    used += text.length;
    out.push(`### ${path}\n${fence(text)}`);
  }
  return out.join("\n");
}

function contractSection(c: Contract, planDir: string): string {
  const head = `### ${c.id}${c.title ? `: ${c.title}` : ""} (owner ${c.owner ?? "none"}; consumers ${c.consumers.join(", ") || "none"})`;
  if (!c.spec) return `${head}\n(no spec file)`;
  const answer = readFileTool(realpathSync(planDir), { path: c.spec });
  return `${head}\nspec ${c.spec}:\n${answer.isError ? `(${answer.content})` : fence(clip(answer.content, SPEC_BYTES, c.spec))}`;
}

function clip(text: string, max: number, path: string): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n[... ${path} continues; read it with read_file]`;
}

// A fence longer than any backtick run inside, so file content cannot close it.
function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const f = "`".repeat(longest + 1);
  return `${f}\n${text}\n${f}`;
}
