// Which sandbox works on this machine, found by trying it once at start: unshare, mount and
// bubblewrap present, and a probe process in a real copy-on-write view whose write lands in the
// view's layer and not in the probed folder. Without one, purpled says why and starts no agent
// unless O/purple.yaml says `sandbox: off` (SPEC §10).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SandboxInfo } from "../../protocol/changeset.ts";
import { removeScratch, View } from "./view.ts";
import type { SandboxTools } from "./wrap.ts";
import { xattrsReadable } from "./xattr.ts";

/** Where the sandbox programs are looked for: $PURPLE_SANDBOX_PATH (e.g. a bubblewrap in /usr/local/bin), else the system's. */
const SYSTEM_PATH = process.env.PURPLE_SANDBOX_PATH || "/usr/sbin:/usr/bin:/sbin:/bin";

/** The programs the sandbox needs, or what is missing (Debian: util-linux, mount, bubblewrap). */
export function findTools(): SandboxTools | { missing: string[] } {
  const found: Partial<SandboxTools> = {};
  const missing: string[] = [];
  for (const name of ["unshare", "mount", "bwrap", "sh", "env"] as const) {
    const at = Bun.which(name, { PATH: SYSTEM_PATH });
    if (at) found[name] = at;
    else missing.push(name);
  }
  return missing.length ? { missing } : (found as SandboxTools);
}

export interface Detected {
  info: SandboxInfo;
  tools: SandboxTools | null;
}

/** Try the sandbox for real in a scratch folder under `scratch`; `off` skips the probe (O/purple.yaml says so). */
export function detectSandbox(scratch: string, off = false): Detected {
  if (off) return { info: { kind: "off", agents: true, detail: "the sandbox is off (O/purple.yaml `sandbox: off` or --sandbox off): agents run unsandboxed, checked only by the territory audit afterwards" }, tools: null };
  const none = (detail: string): Detected => ({ info: { kind: "none", agents: false, detail }, tools: null });
  if (process.platform !== "linux") return none(`no sandbox on ${process.platform}: purple's sandbox needs Linux namespaces and overlayfs`);
  const tools = findTools();
  if ("missing" in tools) return none(`no sandbox: ${tools.missing.join(", ")} not found (Debian: apt-get install bubblewrap util-linux mount coreutils)`);
  if (!xattrsReadable()) return none("no sandbox: extended attributes cannot be read here (lgetxattr from libc.so.6)");
  const problem = probe(tools, scratch);
  if (problem) return none(`no sandbox: ${problem}`);
  const who = process.getuid?.() === 0 ? "as root" : "unprivileged, in a user namespace";
  return { info: { kind: "overlay", agents: true, detail: `overlayfs view + bubblewrap (user, mount, PID namespaces), ${who}` }, tools };
}

// One real run: a write inside must land in the layer and leave the probed folder alone.
function probe(tools: SandboxTools, scratch: string): string | null {
  mkdirSync(scratch, { recursive: true, mode: 0o700 });
  const base = mkdtempSync(join(scratch, "probe-"));
  try {
    const root = join(base, "root");
    mkdirSync(root);
    writeFileSync(join(root, "seen"), "before");
    const view = View.open({ tools, root, scratch: base, hide: [], readOnly: [] });
    const { cmd, env } = view.wrap(["/bin/sh", "-c", "cat seen && echo after > seen"], { PATH: SYSTEM_PATH }, root);
    const run = Bun.spawnSync(cmd, { env, stdout: "pipe", stderr: "pipe" });
    const out = run.stdout.toString();
    if (run.exitCode !== 0) return `a trial run failed (exit ${run.exitCode}): ${run.stderr.toString().trim().split("\n").slice(-2).join(" ") || "no message"}`;
    if (!out.includes("before")) return "the trial run could not read the project through its view";
    if (readFileSync(join(root, "seen"), "utf8") !== "before") return "a write inside the trial run reached the project itself";
    if (!existsSync(join(view.upper, "seen"))) return "a write inside the trial run did not land in its copy-on-write layer";
    return null;
  } catch (err) {
    return `a trial run could not be made: ${(err as Error).message}`;
  } finally {
    removeScratch(base);
  }
}
