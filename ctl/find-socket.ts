// Which socket purplectl talks to (SPEC §8): --socket, else $PURPLE_SOCKET, else the `socket`
// of the nearest project's O/.purple/daemon.json walking up, else that project's default path.
import { readFileSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DaemonInfo } from "../protocol/daemon-info.ts";
import { defaultSocketPath } from "../protocol/socket-path.ts";
import { findRoot, orchestrationOf } from "./find-root.ts";

export interface SocketChoice {
  path: string;
  /** where the path came from, for messages */
  from: "--socket" | "$PURPLE_SOCKET" | "daemon.json" | "default";
  /** the project root, when one was found */
  root: string | null;
}

/** Decide the socket for this invocation; never touches the socket itself. */
export function findSocket(opts: { socket?: string; root?: string; cwd?: string; env?: Record<string, string | undefined> }): SocketChoice {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  // --root names the project; otherwise the nearest one walking up from the working directory.
  const root = findRoot(opts.root ? resolve(cwd, opts.root) : undefined, cwd);
  if (opts.socket) return { path: resolve(cwd, opts.socket), from: "--socket", root };
  if (env.PURPLE_SOCKET) return { path: resolve(cwd, env.PURPLE_SOCKET), from: "$PURPLE_SOCKET", root };
  if (root) {
    const recorded = recordedSocket(root);
    if (recorded) return { path: recorded, from: "daemon.json", root };
  }
  return { path: defaultSocketPath(realOrSelf(root ?? cwd), env), from: "default", root };
}

/**
 * The `socket` recorded in a root's O/.purple/daemon.json, or null when there is none. Only that
 * one field is read (and checked by hand: this runs on every purplectl command).
 */
export function recordedSocket(root: string): string | null {
  try {
    const info = JSON.parse(readFileSync(join(orchestrationOf(root), ".purple", "daemon.json"), "utf8")) as Partial<DaemonInfo> | null;
    return typeof info?.socket === "string" && info.socket.length > 0 ? info.socket : null;
  } catch {
    return null;
  }
}

// purpled names its socket after the real path of its root; so must we.
function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
