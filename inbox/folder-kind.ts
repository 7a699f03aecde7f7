// Which kind of compilable folder a directory is, told from the names it holds. Kept apart from
// compile-folder.ts so the watcher and submit can ask without loading the compilers (the markdown
// and Purple compilers are loaded only when a folder is actually compiled).
import { existsSync } from "node:fs";
import { join } from "node:path";

export type FolderKind = "markdown" | "purple";

/** What kind of folder this is, or null when it holds nothing purple compiles. */
export function compilableKind(dir: string): FolderKind | null {
  if (existsSync(join(dir, "orchestration-plan.md"))) return "markdown";
  if (existsSync(join(dir, "agent-written-specifications")) || existsSync(join(dir, "progress.json"))) return "purple";
  return null;
}
