// The anthropic agent's reading tools: read_file and list_dir. They read anywhere under
// the project root (its real path), never outside it, and every answer is bounded in size.
import { lstatSync, readdirSync, realpathSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { readHead, relativeInside } from "./safe-fs.ts";

/** What a tool answers: text for the model, and whether it is an error. */
export interface ToolAnswer {
  content: string;
  isError: boolean;
}

const MAX_READ_BYTES = 256 * 1024;
const MAX_LIST_ENTRIES = 1000;

/** A tool answer that succeeded. */
export const ok = (content: string): ToolAnswer => ({ content, isError: false });
/** A tool answer the model sees as an error (is_error). */
export const fail = (content: string): ToolAnswer => ({ content, isError: true });

/** The real path of `input` under `root` (itself a real path), or why it cannot be read. */
export function resolveRead(root: string, input: unknown, fallback?: string): { abs: string; rel: string } | { reason: string } {
  const raw = input === undefined || input === null || input === "" ? fallback : input;
  if (typeof raw !== "string") return { reason: "the path must be a string relative to the project root" };
  if (raw.includes("\0")) return { reason: `${JSON.stringify(raw)} contains a NUL byte` };
  if (isAbsolute(raw)) return { reason: `${raw} is absolute; give a path relative to the project root` };
  let abs: string;
  try {
    abs = realpathSync(join(root, raw));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { reason: `${raw} does not exist` };
    return { reason: `cannot read ${raw}: ${(err as Error).message}` };
  }
  const rel = relativeInside(root, abs);
  if (rel === null) return { reason: `${raw} is outside the project root` };
  return { abs, rel: rel === "" ? "." : rel };
}

/** read_file: a text file's content (the first 256 KB). */
export function readFileTool(root: string, input: { path?: unknown }): ToolAnswer {
  const r = resolveRead(root, input.path);
  if ("reason" in r) return fail(r.reason);
  const head = readHead(r.abs, MAX_READ_BYTES);
  switch (head.kind) {
    case "directory":
      return fail(`${r.rel} is a directory; use list_dir`);
    case "other":
      return fail(`${r.rel} is not a regular file`);
    case "moved":
      return fail(`${r.rel} changed while it was being read; try again`);
    case "error":
      return fail(`cannot read ${r.rel}: ${head.message}`);
  }
  if (head.bytes.subarray(0, 8192).includes(0)) return ok(`${r.rel} is a binary file (${head.size} bytes)`);
  const text = head.bytes.toString("utf8");
  return ok(head.size > head.bytes.length ? `${text}\n[... ${r.rel} is ${head.size} bytes; only the first ${head.bytes.length} are shown]` : text);
}

/** list_dir: a directory's entries, folders marked with a trailing slash, symbolic links with "@". */
export function listDirTool(root: string, input: { path?: unknown }): ToolAnswer {
  const r = resolveRead(root, input.path, ".");
  if ("reason" in r) return fail(r.reason);
  let names: string[];
  try {
    names = readdirSync(r.abs).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === "ENOTDIR" ? `${r.rel} is a file; use read_file` : `cannot list ${r.rel}: ${(err as Error).message}`);
  }
  const lines: string[] = [];
  for (const name of names.slice(0, MAX_LIST_ENTRIES)) {
    try {
      const st = lstatSync(join(r.abs, name));
      lines.push(st.isDirectory() ? `${name}/` : st.isSymbolicLink() ? `${name}@` : name);
    } catch {
      lines.push(name);
    }
  }
  if (names.length > MAX_LIST_ENTRIES) lines.push(`[... ${names.length - MAX_LIST_ENTRIES} more entries not shown]`);
  return ok(lines.length ? lines.join("\n") : `${r.rel} is empty`);
}
