// What a service manager runs for a root: absolute paths only (a service has no useful PATH or
// working directory of ours). The compiled dist/purpled when it exists, else this checkout's bun
// binary (its real path, not the node_modules/.bin link) running daemon/main.ts.
import { createHash } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, isAbsolute, join, sep } from "node:path";

export interface ServiceSpec {
  /** the project root, absolute */
  root: string;
  /** argv of purpled, absolute paths, ending with --root ROOT */
  command: string[];
  /** systemd unit base name, e.g. purpled-my-app-1a2b3c4d5e6f */
  name: string;
  /** launchd label, dev.purple.purpled.<hash of root> */
  label: string;
  /** environment for purpled: PATH only (agents run npm, git, …); nothing secret */
  env: Record<string, string>;
}

/** A short stable id of a root: the first 12 hex digits of its sha256. */
export const rootHash = (root: string): string => createHash("sha256").update(root).digest("hex").slice(0, 12);

/** Where purple's checkout is: beside a compiled purplectl (dist/..), or above this source file. */
function checkoutDir(): string {
  // A compiled binary's modules live under a virtual /$bunfs/ path; the binary itself is real.
  if (import.meta.dir.includes("$bunfs") || import.meta.dir.startsWith("B:\\~BUN")) return dirname(dirname(process.execPath));
  return join(import.meta.dir, "..", "..");
}

/** The purpled argv for a root, preferring the compiled binary. */
export function purpledCommand(root: string, repo = checkoutDir()): string[] {
  const compiled = join(repo, "dist", "purpled");
  if (existsSync(compiled)) return [realpathSync(compiled), "--root", root];
  const link = join(repo, "node_modules", ".bin", "bun");
  const bun = existsSync(link) ? realpathSync(link) : process.execPath;
  return [bun, realpathSync(join(repo, "daemon", "main.ts")), "--root", root];
}

/** Everything a unit file or plist needs for this root. */
export function serviceSpec(root: string, env: Record<string, string | undefined> = process.env, repo?: string): ServiceSpec {
  const real = realpathSync(root);
  const hash = rootHash(real);
  const slug = basename(real).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "root";
  return {
    root: real,
    command: purpledCommand(real, repo),
    name: `purpled-${slug}-${hash}`,
    label: `dev.purple.purpled.${hash}`,
    env: env.PATH ? { PATH: stablePath(env.PATH) } : {},
  };
}

/**
 * A service's PATH: the caller's, less what only lives as long as the caller — npx's cache
 * (`~/.npm/_npx/…`), any `node_modules/.bin` npm or npx put in front, temporary directories and
 * relative entries. What remains is the user's own PATH, which outlives this command.
 */
export function stablePath(path: string, tmp = tmpdir()): string {
  const temporary = [tmp, "/tmp", "/var/tmp"].map((d) => d.replace(/\/+$/, "") + sep);
  const keep = path.split(delimiter).filter((dir) => {
    if (!dir || !isAbsolute(dir)) return false;
    if (dir.includes(`${sep}_npx${sep}`) || dir.includes(`node_modules${sep}.bin`)) return false;
    return !temporary.some((t) => (dir + sep).startsWith(t));
  });
  return [...new Set(keep)].join(delimiter);
}
