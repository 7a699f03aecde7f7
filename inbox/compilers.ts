// The markdown and Purple folder compilers, loaded on first use: an idle daemon (or one that only
// ever sees canonical YAML) does not hold them. Bun's require loads them synchronously, so
// compilableKind and isMarkdownFile stay synchronous for their callers.
type CompileFolderModule = typeof import("./compile-folder.ts");

let mod: CompileFolderModule | null = null;

/** compile-folder.ts, loaded now if it was not yet. */
export function compilers(): CompileFolderModule {
  return (mod ??= require("./compile-folder.ts") as CompileFolderModule);
}
