// Where purpled gets the Anthropic API key (SPEC §10: never in purpled's initial environment nor
// any agent's). In order: O/purple.yaml `apiKeyFile`, then systemd's credential
// $CREDENTIALS_DIRECTORY/anthropic-api-key (LoadCredential=), each a file only purpled's user can
// read (no group or other permission bits); last, ANTHROPIC_API_KEY from the environment, which
// works but is reported: /proc/<pid>/environ keeps a process's initial environment for its whole
// life, whatever the process deletes from it later.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { PurpleError } from "../../protocol/errors.ts";

const MAX_KEY_BYTES = 4096;

export interface ApiKeySource {
  key: string | undefined;
  /** where it came from, for the start-up log (never the key itself) */
  from: "apiKeyFile" | "credentials" | "environment" | "none";
  /** set when the key came from the environment: what that exposes */
  warning?: string;
}

/** The key and its source; INVALID_PARAMS when a configured file is unsafe or unreadable. */
export function loadApiKey(opts: { orchestration: string; apiKeyFile?: string; env?: Record<string, string | undefined> }): ApiKeySource {
  const env = opts.env ?? process.env;
  if (opts.apiKeyFile) {
    const path = isAbsolute(opts.apiKeyFile) ? opts.apiKeyFile : join(opts.orchestration, opts.apiKeyFile);
    return { key: readKeyFile(path, "apiKeyFile"), from: "apiKeyFile" };
  }
  if (env.CREDENTIALS_DIRECTORY) {
    const key = readKeyFile(join(env.CREDENTIALS_DIRECTORY, "anthropic-api-key"), "the systemd credential", { optional: true });
    if (key !== undefined) return { key, from: "credentials" };
  }
  const fromEnv = env.ANTHROPIC_API_KEY || undefined;
  if (fromEnv) {
    return {
      key: fromEnv,
      from: "environment",
      warning:
        "ANTHROPIC_API_KEY was in purpled's environment at start: /proc/<purpled pid>/environ holds it for as long as purpled runs, readable by processes of the same user outside the sandbox. " +
        "Put the key in a file of mode 0600 and name it in O/purple.yaml (apiKeyFile), or use systemd's LoadCredential=anthropic-api-key:FILE.",
    };
  }
  return { key: undefined, from: "none" };
}

// Read a key file without following a symlink, refusing any group or other permission;
// undefined when an `optional` file does not exist.
function readKeyFile(path: string, what: string, opts: { optional?: boolean } = {}): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && opts.optional) return undefined;
    if (code === "ENOENT") throw new PurpleError("INVALID_PARAMS", `${what} ${path} does not exist`);
    if (code === "ELOOP") throw new PurpleError("INVALID_PARAMS", `${what} ${path} is a symbolic link; name the file itself`);
    throw new PurpleError("INVALID_PARAMS", `${what} ${path} cannot be read: ${(err as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new PurpleError("INVALID_PARAMS", `${what} ${path} is not a regular file`);
    if (st.mode & 0o077) throw new PurpleError("INVALID_PARAMS", `${what} ${path} has mode 0${(st.mode & 0o777).toString(8)}: others could read the key; chmod 600 it`);
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) throw new PurpleError("INVALID_PARAMS", `${what} ${path} belongs to uid ${st.uid}, not to purpled's user (uid ${uid})`);
    const buf = Buffer.alloc(MAX_KEY_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const key = buf.subarray(0, n).toString("utf8").trim();
    if (!key) throw new PurpleError("INVALID_PARAMS", `${what} ${path} is empty`);
    return key;
  } finally {
    closeSync(fd);
  }
}
