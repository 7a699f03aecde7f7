// Folders people write instead of canonical YAML — an /orchestrate markdown plan, a Purple
// feature folder — compiled to the canonical plan, with what was inferred for the intake report.
// The key changes only when the sources do: the daemon's own progress.json writes never count.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import YAML from "yaml";
import type { Progress } from "../protocol/index.ts";
import { applyRunnerDefaults } from "./config.ts";
import { compileMarkdownPlan, readMarkdownFolder, type CompileDefaults, type CompileResult } from "./markdown/compile.ts";
import { choosePlanFile } from "./markdown/find-plan.ts";
import { renderIntakeReport } from "./markdown/report.ts";
import { compilePurpleFolder, readPurpleFolder } from "./purple/compile.ts";
import { mergeProgress } from "./purple/progress-sync.ts";

export type FolderKind = "markdown" | "purple";

export interface CompiledFolder {
  kind: FolderKind;
  result: CompileResult;
  /** sha256 of the sources (for a Purple folder: its specs and its progress.json's structure) */
  key: string;
  yaml: string;
  report: string;
  /** the file people edit: orchestration-plan.md, or the spec / progress.json */
  source: string;
  /** for a Purple folder: how the daemon's progress.json keeps the folder's own fields */
  mergeProgress?: (ours: Progress) => Progress;
}

/**
 * What kind of folder this is, or null when it holds nothing purple compiles: orchestration-plan.md
 * or a single markdown file → markdown; agent-written-specifications/ → purple; any markdown file
 * that holds waves or phases of agents (found by content, whatever its name) → markdown; else a
 * progress.json alone → purple.
 */
export function compilableKind(path: string): FolderKind | null {
  if (isMarkdownFile(path)) return "markdown";
  if (existsSync(join(path, "orchestration-plan.md"))) return "markdown";
  if (existsSync(join(path, "agent-written-specifications"))) return "purple";
  try {
    if (!statSync(path).isDirectory()) return null;
  } catch {
    return null;
  }
  // Before progress.json: purpled writes one into every plan folder it runs, markdown ones too.
  if (choosePlanFile(readMarkdownFolder(path)).candidates.length > 0) return "markdown";
  return existsSync(join(path, "progress.json")) ? "purple" : null;
}

/** A single markdown file (a plan dropped or submitted on its own). */
export function isMarkdownFile(path: string): boolean {
  try {
    return /\.(?:md|markdown)$/i.test(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Compile a folder of the given kind (IO: reads its files). */
export function compileFolder(dir: string, name: string, kind: FolderKind, defaults: CompileDefaults): CompiledFolder {
  if (kind === "markdown") {
    const files = readMarkdownFolder(dir);
    const result = compileMarkdownPlan(files, { name, defaults });
    const base = isMarkdownFile(dir) ? dirname(dir) : dir;
    return finish(kind, name, result, keyOf(files), join(base, result.planFile?.file ?? "orchestration-plan.md"), defaults);
  }
  const files = readPurpleFolder(dir);
  const original = parseJson(files["progress.json"]);
  const { ["progress.json"]: _progress, ...specs } = files;
  const result = compilePurpleFolder(files, { name, defaults });
  const structure = JSON.stringify(((original as Progress | null)?.phases ?? []).map((p) => [p.number, p.name, (p.tickets ?? []).map((t) => [t.id, t.name])]));
  const source = Object.keys(specs).sort()[0] ?? "progress.json";
  const compiled = finish(kind, name, result, keyOf({ ...specs, "progress.json#structure": structure }), join(dir, source), defaults);
  // The folder's own progress.json is kept up to date, keeping the fields the Purple CLI put there.
  compiled.mergeProgress = (ours) => mergeProgress(parseJson(safeRead(join(dir, "progress.json"))) ?? original, ours);
  return compiled;
}

function finish(kind: FolderKind, name: string, result: CompileResult, key: string, source: string, defaults: CompileDefaults): CompiledFolder {
  applyRunnerDefaults(result, defaults);
  return { kind, result, key, yaml: YAML.stringify(result.plan), report: renderIntakeReport(name, result), source };
}

function keyOf(files: Record<string, string>): string {
  const h = createHash("sha256");
  for (const k of Object.keys(files).sort()) h.update(k).update("\0").update(files[k]!).update("\0");
  return h.digest("hex");
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
