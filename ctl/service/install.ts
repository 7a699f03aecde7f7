// Writing a service file: the folder is created, the file replaced atomically (temp + rename),
// and an identical file is left alone. Enabling it is the user's step, printed, never run here.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export type InstallOutcome = "created" | "updated" | "unchanged";

/** Write `text` to `path` unless it already holds exactly that. */
export function installFile(path: string, text: string): InstallOutcome {
  const before = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (before === text) return "unchanged";
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return before === null ? "created" : "updated";
}
