// The territory audit (SPEC §6, RELIABILITY 18): which files changed in the project root since
// the last checkpoint, which running agent each change belongs to, and putting back every change
// that no running agent's territory covers.
//
// A checkpoint compares the tree now with the baseline (the tree as the previous checkpoint left
// it). Each changed path (added, modified, deleted, mode or type changed) is
//   - covered by a running agent's territory        → attributed to that agent;
//   - covered by none, while agents ran             → a violation of every running agent: a
//     modified or deleted path gets its baseline content back ("reverted"), an added one is
//     removed from the tree into the quarantine ("deleted");
//   - changed while no agent ran                    → absorbed (a person's edits between runs).
// The baseline then becomes the tree as it is after the reverts. Snapshots are git trees in a
// private repository (shadow-git.ts), which is what makes 10,000 files cost tens of milliseconds.
// Files the user's .gitignore ignores are not audited (see shadow-git.ts for what else is not).
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { territoryOf, type Territory } from "../../protocol/index.ts";
import { pruneQuarantine, quarantine, quarantineBatch } from "./quarantine.ts";
import { ShadowGit, type TreeChange } from "./shadow-git.ts";

/** An agent that was running during the interval being audited. */
export interface RunningAgent {
  agent: string;
  territory: string[];
}

export interface AuditViolation {
  path: string;
  /** every agent that was running: any of them may have made the change */
  agents: string[];
  action: "reverted" | "deleted";
}

export interface AuditResult {
  /** per agent with at least one change, the root-relative paths it changed */
  changes: { agent: string; paths: string[] }[];
  violations: AuditViolation[];
  /** changes taken into the baseline without blame: nobody was running, or a file that existed
   *  before and only became visible (an ignore rule changed) */
  absorbed: string[];
  /** files git could not read; they keep their previous state in the baseline */
  warnings: string[];
  durationMs: number;
}

// File-system timestamps come from a coarse clock that can lag the wall clock by a tick.
const CLOCK_SLACK_MS = 50;
// A reverted .gitignore can reveal files it hid: look again, a bounded number of times.
const MAX_ROUNDS = 3;
const IGNORE_FILE = /(^|\/)\.gitignore$/;

/** Detects, attributes and reverts changes to one project tree; one checkpoint at a time. */
export class TreeAuditor {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly git: ShadowGit,
    private base: string,
    // when the snapshot behind `base` started: a file whose inode is older was there before it
    private baseStartedAt: number,
    private readonly quarantineDir: string,
  ) {}

  /** Open the audit of `root`, keeping its state in `stateDir`, and take the first baseline. */
  static async open(root: string, stateDir: string): Promise<TreeAuditor> {
    const git = await ShadowGit.open(root, stateDir);
    const quarantineDir = join(git.stateDir, "quarantine");
    pruneQuarantine(quarantineDir);
    const startedAt = Date.now();
    let snap;
    try {
      snap = await git.snapshot();
    } catch {
      // A private index git cannot use any more (corrupt, or naming objects the user's store has
      // since pruned) only costs a full re-hash.
      git.resetIndex();
      snap = await git.snapshot();
    }
    await git.pruneIfLarge(snap.tree); // the index and the baseline name every object still needed
    return new TreeAuditor(git, snap.tree, startedAt, quarantineDir);
  }

  /** The tree id of the current baseline. */
  get baseline(): string {
    return this.base;
  }

  /** Audit the interval since the previous checkpoint, during which `running` were running. */
  checkpoint(running: readonly RunningAgent[]): Promise<AuditResult> {
    const result = this.queue.then(() => this.audit(running));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async audit(running: readonly RunningAgent[]): Promise<AuditResult> {
    const t0 = performance.now();
    const agents = running.map((r) => ({ agent: r.agent, territory: territoryOf(r.territory) }));
    const owned = new Map<string, string[]>();
    const violations: AuditViolation[] = [];
    const absorbed: string[] = [];
    const warnings: string[] = [];
    const baseBefore = this.base;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const startedAt = Date.now();
      const snap = await this.git.snapshot();
      warnings.push(...snap.warnings);
      if (snap.tree === this.base) {
        this.baseStartedAt = startedAt;
        break;
      }
      const revert: TreeChange[] = [];
      const revealed: TreeChange[] = [];
      for (const change of await this.git.diff(this.base, snap.tree)) {
        if (this.git.isExcluded(change.path)) continue;
        if (agents.length === 0) {
          absorbed.push(change.path);
          continue;
        }
        const owner = ownerOf(agents, change.path);
        if (owner !== null) {
          const paths = owned.get(owner) ?? [];
          if (paths.length === 0) owned.set(owner, paths);
          paths.push(change.path);
        } else if (change.status === "A" && this.existedBefore(change)) {
          absorbed.push(change.path);
          revealed.push(change);
        } else {
          revert.push(change);
          violations.push({ path: change.path, agents: agents.map((a) => a.agent), action: change.status === "A" ? "deleted" : "reverted" });
        }
      }
      await this.putBack(revert);
      await this.git.untrackIgnored(revealed);
      this.base = revert.length > 0 || revealed.length > 0 ? await this.git.writeTree() : snap.tree;
      this.baseStartedAt = startedAt;
      if (!revert.some((c) => IGNORE_FILE.test(c.path))) break;
    }
    if (this.base !== baseBefore) await this.git.pruneIfLarge(this.base);
    const changes = agents.filter((a) => owned.has(a.agent)).map((a) => ({ agent: a.agent, paths: owned.get(a.agent)! }));
    return { changes, violations, absorbed, warnings, durationMs: performance.now() - t0 };
  }

  // Added files go to the quarantine first (git would delete them), then git restores the rest
  // and brings the private index back to the baseline for all of them.
  private async putBack(revert: TreeChange[]): Promise<void> {
    if (revert.length === 0) return;
    const added = revert.filter((c) => c.status === "A");
    if (added.length > 0) {
      const batch = quarantineBatch(this.quarantineDir);
      for (const c of added) quarantine(this.git.root, batch, c.raw);
      pruneQuarantine(this.quarantineDir);
    }
    await this.git.restore(this.base, revert);
  }

  // An added path whose inode predates the baseline snapshot was not created in this interval:
  // it was hidden from the baseline (ignored, unreadable) and is only now visible.
  private existedBefore(change: TreeChange): boolean {
    try {
      return lstatSync(this.git.absolute(change.raw)).ctimeMs < this.baseStartedAt - CLOCK_SLACK_MS;
    } catch {
      return false;
    }
  }
}

// The first running agent whose territory covers `path` (running territories never overlap).
function ownerOf(agents: { agent: string; territory: Territory }[], path: string): string | null {
  for (const a of agents) if (a.territory.covers(path)) return a.agent;
  return null;
}
