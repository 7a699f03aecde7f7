// Where the control socket lives (SPEC §8): O/.purple/purpled.sock, or a short path under
// $XDG_RUNTIME_DIR or /tmp/purple-$UID/ when that would pass the 107-byte limit of sun_path.
import { join } from "node:path";

export const SOCKET_PATH_LIMIT = 107;

/** The socket path for a project root (absolute, real path). */
export function defaultSocketPath(root: string, env: Record<string, string | undefined> = process.env, uid = process.getuid?.() ?? 0): string {
  const preferred = join(root, ".context-kit", "orchestration", ".purple", "purpled.sock");
  if (Buffer.byteLength(preferred) <= SOCKET_PATH_LIMIT) return preferred;
  // Bun's hasher, not node:crypto: loading that module costs purplectl ~10 ms at every start.
  const id = new Bun.CryptoHasher("sha256").update(root).digest("hex").slice(0, 16);
  const base = env.XDG_RUNTIME_DIR && Buffer.byteLength(env.XDG_RUNTIME_DIR) < 60 ? join(env.XDG_RUNTIME_DIR, "purple") : `/tmp/purple-${uid}`;
  return join(base, `${id}.sock`);
}
