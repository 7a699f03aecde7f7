// One copy-on-write view of the project: a private scratch folder (upper, work, merged) for one
// sandboxed process tree. A process wrapped by the view sees the project at its own path; what it
// changes is read back with changes(), then checked and applied (or discarded) by the caller.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Change } from "../../protocol/changeset.ts";
import { scanUpper } from "./scan.ts";
import { sandboxArgv, type Layout, type SandboxTools } from "./wrap.ts";

/** The sandbox's world outside the view: what to hide, what stays read-only, the channel to bind. */
export interface ViewSetup {
  tools: SandboxTools;
  root: string;
  /** parent of the view's scratch folder (private to purpled, hidden from every sandbox) */
  scratch: string;
  hide: string[];
  readOnly: string[];
  writable?: string[];
  channel?: { host: string; inside: string } | null;
  ids?: { uid: number; gid: number };
}

/** What a wrapped command is: the argv to spawn and the environment to give it. */
export interface Wrapped {
  cmd: string[];
  env: Record<string, string>;
}

export class View {
  readonly dir: string;
  readonly upper: string;
  private disposed = false;

  private constructor(private readonly setup: ViewSetup, dir: string) {
    this.dir = dir;
    this.upper = join(dir, "u");
  }

  /** A fresh, empty view. */
  static open(setup: ViewSetup): View {
    mkdirSync(setup.scratch, { recursive: true, mode: 0o700 });
    const dir = mkdtempSync(join(setup.scratch, "v-"));
    for (const sub of ["u", "w", "m"]) mkdirSync(join(dir, sub), { mode: 0o700 });
    return new View(setup, dir);
  }

  /** `argv` (with `env`, from `cwd` inside the project) as a command that runs in this view. */
  wrap(argv: readonly string[], env: Record<string, string>, cwd: string): Wrapped {
    if (this.disposed) throw new Error("the sandbox view is already closed");
    const s = this.setup;
    const layout: Layout = {
      root: s.root,
      upper: this.upper,
      work: join(this.dir, "w"),
      merged: join(this.dir, "m"),
      hide: s.hide,
      readOnly: s.readOnly,
      writable: s.writable ?? [],
      channel: s.channel ?? null,
    };
    const ids = s.ids ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    return { cmd: sandboxArgv(s.tools, layout, argv, cwd, ids), env: { ...env, TMPDIR: "/tmp" } };
  }

  /** Every change the view's processes made to the project, parents before children. */
  changes(): Change[] {
    return scanUpper(this.upper, this.setup.root);
  }

  /** Remove the scratch folder (its layer is discarded with it). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    removeScratch(this.dir);
  }
}

/** rm -rf that also gets through directories the kernel or an agent left without permissions (overlayfs's work/work is 000). */
export function removeScratch(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
    return;
  } catch {
    // fall through: open up the modes and try again
  }
  const open = (d: string) => {
    try {
      chmodSync(d, 0o700);
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) open(join(d, e.name));
    } catch {}
  };
  open(dir);
  rmSync(dir, { recursive: true, force: true });
}
