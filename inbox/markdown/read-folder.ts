// The IO half of the markdown compiler: the text files of a plan folder that it reads — every
// markdown file (the plan is found by what it holds, not by its name) and the contract specs.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { PURPLED_NAMES } from "../../protocol/plan-folder.ts";

/** Files at most this big are read; larger ones are left out. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** At most this many files are read from one folder (a plan folder is small; a repository is not). */
export const MAX_FILES = 400;
const MAX_DEPTH = 3;
const CONTRACTS_DIR = "integration-contracts";
const SKIP_DIRS = /^(?:\.|node_modules$|dist$|build$|target$|vendor$|__pycache__$)/;

/**
 * IO wrapper: every markdown file of a folder (up to three levels down, skipping hidden and build
 * folders) and every text file of integration-contracts/, each ≤ 1 MB, keyed by relative path.
 * A single markdown file is read on its own, keyed by its name.
 */
export function readMarkdownFolder(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    if (statSync(path).isFile()) {
      const text = readText(path);
      if (text !== null) out[basename(path)] = text;
      return out;
    }
  } catch {
    return out;
  }
  walk(path, "", 0, out);
  return out;
}

function walk(dir: string, rel: string, depth: number, out: Record<string, string>): void {
  let entries: string[];
  try {
    entries = readdirSync(join(dir, rel)).sort();
  } catch {
    return;
  }
  const inContracts = rel === CONTRACTS_DIR || rel.startsWith(`${CONTRACTS_DIR}/`);
  for (const name of entries) {
    if (Object.keys(out).length >= MAX_FILES) return;
    const relPath = rel ? `${rel}/${name}` : name;
    const full = join(dir, relPath);
    let st;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      // agents/<id>/ is purpled's; markdown files straight inside agents/ are an author's agent briefs.
      if (depth === 0 && name === "agents") briefsIn(dir, relPath, out);
      if (depth < MAX_DEPTH && !SKIP_DIRS.test(name) && !(depth === 0 && PURPLED_NAMES.has(name))) walk(dir, relPath, depth + 1, out);
      continue;
    }
    if (depth === 0 && PURPLED_NAMES.has(name)) continue; // purpled's own outputs (SPEC §3) are never the plan
    if (!inContracts && !/\.(?:md|markdown)$/i.test(name)) continue;
    const text = readText(full);
    if (text !== null) out[relPath] = text;
  }
}

function briefsIn(dir: string, rel: string, out: Record<string, string>): void {
  let names: string[];
  try {
    names = readdirSync(join(dir, rel)).sort();
  } catch {
    return;
  }
  for (const name of names) {
    if (Object.keys(out).length >= MAX_FILES) return;
    if (!/\.(?:md|markdown)$/i.test(name)) continue;
    const text = readText(join(dir, rel, name));
    if (text !== null) out[`${rel}/${name}`] = text;
  }
}

// A regular file's text, or null when it is missing, too big, a directory or binary.
function readText(path: string): string | null {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return null;
    const buf = readFileSync(path);
    if (buf.includes(0)) return null;
    return buf.toString("utf8");
  } catch {
    return null;
  }
}
