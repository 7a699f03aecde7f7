// The markdown and Purple folder compilers, loaded on first use: an idle daemon (or one that only
// ever sees canonical YAML) does not hold them. Bun's require loads them synchronously, so
// compilableKind and isMarkdownFile stay synchronous for their callers. mayBeCompilable answers
// first, from a directory listing, so that a YAML plan arriving never loads them.
import { readdirSync } from "node:fs";

type CompileFolderModule = typeof import("./compile-folder.ts");

let mod: CompileFolderModule | null = null;

/** compile-folder.ts, loaded now if it was not yet. */
export function compilers(): CompileFolderModule {
  return (mod ??= require("./compile-folder.ts") as CompileFolderModule);
}

const MARKDOWN = /\.(?:md|markdown)$/i;

/**
 * Whether `path` may be a markdown plan file or a markdown or Purple folder, told without loading
 * the compilers: false is certain (not markdown, and a folder with no markdown file, no
 * progress.json and nothing below it to look into); true means compilableKind must look.
 */
export function mayBeCompilable(path: string): boolean {
  if (MARKDOWN.test(path)) return true;
  try {
    return readdirSync(path, { withFileTypes: true }).some((e) => MARKDOWN.test(e.name) || e.name === "progress.json" || e.isDirectory() || e.isSymbolicLink());
  } catch {
    return false; // not a folder, or gone
  }
}
