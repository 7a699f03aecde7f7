// The executor (SPEC §11): the one interface the engine calls to run an attempt somewhere. An
// attempt is a value in (plan, agent, attempt, territory) and changesets out; this local executor
// runs every process of the attempt in a copy-on-write view of the project (view.ts, wrap.ts),
// then checks each view's changes against the territory and applies them only when all are
// allowed (check.ts, apply.ts). Gate commands get views whose changes are discarded.
import { existsSync, unlinkSync } from "node:fs";
import { appendNoFollow, ensureRealDir } from "../process/safe-open.ts";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { PurpleError, type Change, type ChangesetRecord, type Refusal, type SandboxInfo } from "../../protocol/index.ts";
import { applyChanges } from "./apply.ts";
import { checkChanges } from "./check.ts";
import { foreignOwnedWarning } from "./owners.ts";
import { removeScratch, View, type ViewSetup } from "./view.ts";
import type { SandboxTools } from "./wrap.ts";

/** Where the agent channel appears inside the sandbox ($PURPLE_SOCKET). */
export const CHANNEL_INSIDE = "/tmp/purple-agent.sock";

/** One attempt as the executor takes it. */
export interface AttemptSpec {
  plan: string;
  agent: string;
  attempt: number;
  territory: readonly string[];
  /** O/<plan>/agents/<agent>: changeset records and warnings go there */
  agentDir: string;
  /** a speculative attempt: allowed changes are held, not applied, until release() (or dropped by discardHeld()) */
  hold?: boolean;
}

/** An open agent channel (daemon/control/agent-channel.ts). */
export interface ChannelHandle {
  readonly path: string;
  close(): Promise<void>;
}

export interface ExecutorOptions {
  root: string;
  /** O/.purple: the scratch folder lives under it */
  stateDir: string;
  info: SandboxInfo;
  tools: SandboxTools | null;
  /** host folders no sandbox may see (the admin socket's folder when it is outside O/.purple) */
  hide?: string[];
  /** opens the attempt's own channel to purple */
  openChannel?: (plan: string, agent: string) => Promise<ChannelHandle>;
}

/** What became of one view's changes. */
export interface Settled {
  source: string;
  changes: Change[];
  refused: Refusal[];
  applied: boolean;
  error?: string;
  /** held back for a speculative attempt (applied at release, or discarded) */
  held?: boolean;
  discarded?: string;
}

/** What the engine calls to run attempts and gate commands (this machine's sandbox today). */
export interface Executor {
  readonly info: SandboxInfo;
  begin(spec: AttemptSpec): Promise<AttemptSandbox | null>;
  gateView(): View | null;
}

export class LocalExecutor implements Executor {
  readonly info: SandboxInfo;
  private readonly scratch: string;

  constructor(private readonly opts: ExecutorOptions) {
    this.info = opts.info;
    this.scratch = join(opts.stateDir, "sandbox");
    // Views left by a previous run (a crash) hold nothing anyone will apply.
    if (existsSync(this.scratch)) removeScratch(this.scratch);
  }

  get root(): string {
    return this.opts.root;
  }

  /** The attempt's sandbox; null when `sandbox: off`; SANDBOX_UNAVAILABLE when nothing works here. */
  async begin(spec: AttemptSpec): Promise<AttemptSandbox | null> {
    if (this.info.kind === "off") return null;
    if (!this.info.agents || !this.opts.tools) throw new PurpleError("SANDBOX_UNAVAILABLE", `no agent starts without a sandbox: ${this.info.detail}`);
    const warning = foreignOwnedWarning(this.opts.root, spec.territory);
    if (warning) appendLog(spec.agentDir, warning);
    const channel = this.opts.openChannel ? await this.opts.openChannel(spec.plan, spec.agent) : null;
    return new AttemptSandbox(this, spec, channel);
  }

  /** A view for a gate command: it sees the project, and whatever it writes is discarded. Null when `sandbox: off`. */
  gateView(): View | null {
    if (this.info.kind === "off") return null;
    if (!this.info.agents) throw new PurpleError("SANDBOX_UNAVAILABLE", `no gate command runs without a sandbox: ${this.info.detail}`);
    return View.open(this.setup(null));
  }

  /** The view setup shared by every sandbox of this root. */
  setup(channel: ChannelHandle | null, writable: string[] = []): ViewSetup {
    const { root, stateDir } = this.opts;
    const orchestration = dirname(stateDir);
    const readOnly = [join(root, ".git"), orchestration].filter((p) => existsSync(p));
    const hide = [stateDir, ...(this.opts.hide ?? [])].filter((p) => existsSync(p));
    return { tools: this.opts.tools!, root, scratch: this.scratch, hide, readOnly, writable, channel: channel ? { host: channel.path, inside: CHANNEL_INSIDE } : null };
  }
}

/** One attempt's sandbox: its channel, and a view per process tree it runs. */
export class AttemptSandbox {
  /** every view settled so far, in order */
  readonly settled: Settled[] = [];
  private readonly open = new Set<View>();
  private closed = false;
  /** views whose allowed changes wait for release(), in the order they settled */
  private readonly held: { view: View; settled: Settled }[] = [];
  private holding: boolean;

  constructor(private readonly executor: LocalExecutor, readonly spec: AttemptSpec, private readonly channel: ChannelHandle | null) {
    this.holding = spec.hold === true;
  }

  /** $PURPLE_SOCKET inside the sandbox ("" when there is no channel). */
  get socket(): string {
    return this.channel ? CHANNEL_INSIDE : "";
  }

  /** A fresh view for one process tree; `writable` host folders (outside the project) are bound read-write. */
  view(writable: string[] = []): View {
    if (this.closed) throw new Error("the attempt's sandbox is closed");
    const view = View.open(this.executor.setup(this.channel, writable));
    this.open.add(view);
    return view;
  }

  /**
   * Once the view's processes have ended: check its changes, apply them when `apply` (the process
   * finished its work) and every one is allowed (or hold them, for a speculative attempt, until
   * release()), record the outcome in changeset-<attempt>.json, and discard the view.
   */
  settle(view: View, source: string, apply = true): Settled {
    this.open.delete(view);
    let settled: Settled;
    let held = false;
    try {
      const changes = view.changes();
      const refused = checkChanges(changes, this.spec.territory);
      settled = { source, changes, refused, applied: false };
      if (apply && refused.length === 0 && changes.length > 0) {
        if (this.holding) {
          settled.held = held = true;
          this.held.push({ view, settled });
        } else this.apply(view, settled);
      }
    } catch (err) {
      settled = { source, changes: [], refused: [], applied: false, error: `its changes could not be read: ${(err as Error).message}` };
    } finally {
      if (!held) view.dispose();
    }
    this.settled.push(settled);
    this.record();
    return settled;
  }

  /** The gate before a speculative attempt's wave passed: apply what it holds (in the order it settled) and hold nothing more. */
  release(): void {
    this.holding = false;
    for (const { view, settled } of this.held.splice(0)) {
      this.apply(view, settled);
      view.dispose();
    }
    this.record();
  }

  /** The gate failed (or the attempt stopped): drop what it holds; the project never sees it. */
  discardHeld(why: string): void {
    this.holding = false;
    for (const { view, settled } of this.held.splice(0)) {
      settled.discarded = why;
      view.dispose();
    }
    // Kept apart: the attempt runs again under the same number once the gate passes.
    this.record(`changeset-${this.spec.attempt}-discarded.json`);
    try {
      unlinkSync(join(this.spec.agentDir, `changeset-${this.spec.attempt}.json`));
    } catch {}
  }

  /** Paths held back so far (files, links, deletes and mode changes). */
  heldPaths(): string[] {
    return pathsOf(this.held.map((h) => h.settled));
  }

  private apply(view: View, settled: Settled): void {
    try {
      applyChanges(settled.changes, view.upper, this.executor.root);
      settled.applied = true;
    } catch (err) {
      settled.error = `its changes could not be applied (the project is unchanged): ${(err as Error).message}`;
    }
  }

  /** Discard a view unread (its process never ran, or what it wrote does not matter). */
  drop(view: View): void {
    this.open.delete(view);
    view.dispose();
  }

  /** Why the attempt must fail because of its changes (refused or unappliable), or null. */
  failure(): string | null {
    const refused = this.settled.flatMap((s) => s.refused);
    if (refused.length > 0) {
      const named = refused.slice(0, 10).map((r) => `${r.path} (${r.reason})`).join("; ");
      return `wrote outside what it may change: ${named}${refused.length > 10 ? `; and ${refused.length - 10} more` : ""} — held back, the project is unchanged`;
    }
    const error = this.settled.find((s) => s.error)?.error;
    return error ?? null;
  }

  /** Paths applied to the project so far (files, links, deletes and mode changes; not the new folders on the way). */
  appliedPaths(): string[] {
    return pathsOf(this.settled.filter((s) => s.applied));
  }

  /** Close the channel and drop any view never settled (its process tree is gone). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const v of this.open) v.dispose();
    this.open.clear();
    // held views stay until release() or discardHeld(): the engine decides them when the gate ends
    await this.channel?.close().catch(() => {});
  }

  private record(file = `changeset-${this.spec.attempt}.json`): void {
    const { plan, agent, attempt, agentDir } = this.spec;
    const at = new Date().toISOString();
    const records: ChangesetRecord[] = this.settled.map((s) => ({ plan, agent, attempt, source: s.source, applied: s.applied, changes: s.changes.slice(0, 5000), refused: s.refused, ...(s.error ? { error: s.error } : {}), ...(s.held ? { held: true } : {}), ...(s.discarded ? { discarded: s.discarded } : {}), at }));
    try {
      ensureRealDir(dirname(dirname(agentDir)), agentDir);
      writeFileAtomic(join(agentDir, file), JSON.stringify(records, null, 2) + "\n");
    } catch {
      // the record is for people; the attempt's outcome does not depend on it
    }
  }
}

/** The paths of settled changes (not the new folders on the way). */
function pathsOf(settled: readonly Settled[]): string[] {
  return [...new Set(settled.flatMap((s) => s.changes.filter((c) => c.kind !== "dir" || c.modeOnly).map((c) => c.path)))];
}

function appendLog(agentDir: string, line: string): void {
  try {
    ensureRealDir(dirname(dirname(agentDir)), agentDir);
    appendNoFollow(join(agentDir, "output.log"), line + "\n");
  } catch {}
}
