// The IO half of the markdown compiler: the text files of a plan folder that it reads.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Files at most this big are read; larger ones are left out. */
export const MAX_FILE_BYTES = 1024 * 1024;

const TOP_FILES = ["orchestration-plan.md", "agent-assignments.md", "validation-strategy.md", "coordination-protocol.md"];
const CONTRACTS_DIR = "integration-contracts";

/** IO wrapper: read orchestration-plan.md, agent-assignments.md, validation-strategy.md, coordination-protocol.md and integration-contracts/* (text files ≤ 1 MB each) of a folder. */
export function readMarkdownFolder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TOP_FILES) {
    const text = readText(join(dir, name));
    if (text !== null) out[name] = text;
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(join(dir, CONTRACTS_DIR)).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    const text = readText(join(dir, CONTRACTS_DIR, name));
    if (text !== null) out[`${CONTRACTS_DIR}/${name}`] = text;
  }
  return out;
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
