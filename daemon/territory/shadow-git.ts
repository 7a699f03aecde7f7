// A private git repository that snapshots the project tree without touching the user's own git.
//
// Layout under the audit state directory: `shadow.git/` (objects, config, excludes) and `index`
// (the private index; its stat cache makes a re-snapshot cost one lstat per file, re-hashing only
// what changed). Every git call gets GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE explicitly, no
// system or global config, no hooks, no attribute conversions: the user's .git, index and HEAD are
// only ever read (their objects serve as an alternate store, their index seeds ours once).
//
// Not audited, by design: whatever the user's .gitignore files ignore (node_modules, build output:
// hashing them would make every checkpoint slow), FIFOs and sockets (git skips them), the
// contents of nested repositories (a nested repo is one gitlink entry), `.git/` and
// `.context-kit/orchestration/` (purpled's own files).
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { PurpleError } from "../../protocol/index.ts";
import { parseRawDiff, type TreeChange } from "./tree-diff.ts";

export type { TreeChange } from "./tree-diff.ts";

export interface GitResult {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Size of the private object store past which unneeded objects are pruned. */
export const AUDIT_STORE_MAX_BYTES = 512 * 1024 * 1024;
const PRUNE_CHECK_EVERY_MS = 60_000;

/** Root-relative paths that are never part of a snapshot (`.git` is skipped by git itself). */
export const NEVER_AUDITED = [".context-kit/orchestration"];

const CONFIG = `[core]
	repositoryformatversion = 0
	bare = false
	filemode = true
	symlinks = true
	ignorecase = false
	autocrlf = false
	safecrlf = false
	logallrefupdates = false
	untrackedCache = true
	hooksPath = /dev/null
	excludesFile = /dev/null
	attributesFile = /dev/null
[gc]
	auto = 0
[advice]
	addEmbeddedRepo = false
	addIgnoredFile = false
[user]
	name = purpled audit
	email = purpled-audit@localhost
`;

// Highest-precedence attributes: store and restore bytes exactly, whatever .gitattributes says.
const ATTRIBUTES = "* -text !eol -filter -ident !working-tree-encoding\n";

/** The private repository of one project root. */
export class ShadowGit {
  readonly gitDir: string;
  readonly indexFile: string;
  private readonly env: Record<string, string>;
  /** root-relative paths never audited: NEVER_AUDITED plus the state directory when it lies in the root */
  readonly excluded: string[];
  // the same as exclude pathspecs
  private readonly excludes: string[];
  private lastPruneCheck = -Infinity;

  private constructor(readonly root: string, readonly stateDir: string) {
    this.gitDir = join(stateDir, "shadow.git");
    this.indexFile = join(stateDir, "index");
    this.env = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: stateDir,
      XDG_CONFIG_HOME: stateDir,
      LC_ALL: "C",
      GIT_DIR: this.gitDir,
      GIT_WORK_TREE: root,
      GIT_INDEX_FILE: this.indexFile,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_TERMINAL_PROMPT: "0",
      GIT_AUTHOR_NAME: "purpled audit",
      GIT_AUTHOR_EMAIL: "purpled-audit@localhost",
      GIT_COMMITTER_NAME: "purpled audit",
      GIT_COMMITTER_EMAIL: "purpled-audit@localhost",
    };
    const excluded = [...NEVER_AUDITED];
    const stateRel = relative(root, stateDir).split(sep).join("/");
    if (stateRel && !stateRel.startsWith("..") && !excluded.some((e) => stateRel.startsWith(e + "/"))) excluded.push(stateRel);
    this.excluded = excluded;
    this.excludes = excluded.map((p) => `:(top,exclude,literal)${p}`);
  }

  /** Open (creating or repairing) the private repository of `root` under `stateDir`. */
  static async open(root: string, stateDir: string): Promise<ShadowGit> {
    const realRoot = realpathSync(root);
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const git = new ShadowGit(realRoot, realpathSync(stateDir));
    // Keep the audit state out of the user's own `git status`.
    writeFileSync(join(git.stateDir, ".gitignore"), "*\n");
    // Only this daemon uses the private index; a lock left by a crash would block every call.
    rmSync(`${git.indexFile}.lock`, { force: true });
    if (!existsSync(join(git.gitDir, "HEAD"))) {
      rmSync(git.gitDir, { recursive: true, force: true });
      rmSync(git.indexFile, { force: true });
      await git.run(["init", "--quiet", "--template=", "--object-format=sha1"]);
    }
    writeFileSync(join(git.gitDir, "config"), CONFIG);
    mkdirSync(join(git.gitDir, "info"), { recursive: true });
    // purpled's own directories are left out by exclude pathspecs on every `add` rather than
    // here: a user's `.gitignore` negation (`!.context-kit/orchestration/`) outranks info/exclude,
    // and git refuses an exclude pathspec naming a path that is also ignored.
    writeFileSync(join(git.gitDir, "info", "exclude"), ".git\n");
    writeFileSync(join(git.gitDir, "info", "attributes"), ATTRIBUTES);
    const userObjects = userObjectStore(realRoot);
    const alternates = join(git.gitDir, "objects", "info", "alternates");
    mkdirSync(join(git.gitDir, "objects", "info"), { recursive: true });
    if (userObjects) writeFileSync(alternates, userObjects + "\n");
    else rmSync(alternates, { force: true });
    if (!existsSync(git.indexFile) && userObjects) await git.seedIndex();
    return git;
  }

  /** Run git with the private repository; throws IO_ERROR on a non-zero exit unless `allowFail`. */
  async run(args: string[], opts: { stdin?: Uint8Array; env?: Record<string, string | undefined>; allowFail?: boolean } = {}): Promise<GitResult> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...this.env, ...opts.env })) if (v !== undefined) env[k] = v;
    let proc;
    try {
      proc = Bun.spawn(["git", ...args], {
        cwd: this.root,
        env,
        stdin: opts.stdin ? new Blob([opts.stdin]) : "ignore",
        stdout: "pipe",
        stderr: "pipe",
      });
    } catch (err) {
      throw new PurpleError("IO_ERROR", `could not run git ${args[0]} for the territory audit: ${err instanceof Error ? err.message : String(err)}; is git installed?`, { cause: err });
    }
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).bytes(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0 && !opts.allowFail) {
      throw new PurpleError("IO_ERROR", `git ${args.join(" ")} failed (exit ${code}) in the territory audit of ${this.root}: ${stderr.trim().split("\n").slice(-3).join(" / ")}`);
    }
    return { code, stdout, stderr };
  }

  /** Record the work tree into the private index and return its tree id plus any per-file problems. */
  async snapshot(): Promise<{ tree: string; warnings: string[] }> {
    // --ignore-errors: one unreadable file must not stop the audit of all the others.
    // Hashing a whole tree (no index yet) into one pack instead of one loose object per file is
    // about three times faster; later snapshots add few objects, loose is right for them.
    const bulk = existsSync(this.indexFile) ? [] : ["-c", "core.bigFileThreshold=1"];
    const add = await this.run([...bulk, "add", "--all", "--ignore-errors", "--", ".", ...this.excludes], { allowFail: true });
    const problems = add.stderr.split("\n").filter((l) => l.trim() !== "");
    if (add.code !== 0 && problems.some((l) => !/^(error|warning): /.test(l))) {
      throw new PurpleError("IO_ERROR", `git add failed (exit ${add.code}) in the territory audit of ${this.root}: ${problems.slice(-3).join(" / ")}`);
    }
    return { tree: await this.writeTree(), warnings: problems.filter((l) => l.startsWith("error: ")) };
  }

  /** Every path that differs between two trees, in git's order (renames are a delete plus an add). */
  async diff(from: string, to: string): Promise<TreeChange[]> {
    const out = await this.run(["diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-abbrev", from, to]);
    return parseRawDiff(out.stdout);
  }

  /** Put `changes` back as they are in tree `base`, in the work tree and the private index:
   *  modified and deleted paths get their base content; added paths leave the index (the caller
   *  has moved the files themselves out of the way, see quarantine.ts). */
  async restore(base: string, changes: TreeChange[]): Promise<void> {
    if (changes.length === 0) return;
    // Writing a file anew loses its permission bits (the daemon's umask applies): remember them.
    const perms = changes.map((c) => (c.status === "M" && c.oldMode === c.newMode ? currentPerms(this.absolute(c.raw)) : null));
    await this.run(["restore", `--source=${base}`, "--staged", "--worktree", "--pathspec-from-file=-", "--pathspec-file-nul"], {
      stdin: nulList(changes),
      env: { GIT_LITERAL_PATHSPECS: "1" },
    });
    changes.forEach((c, i) => {
      if (c.status === "A") return;
      const mode = perms[i] ?? (c.oldMode === "100755" ? 0o755 : c.oldMode === "100644" ? 0o644 : null);
      if (mode === null) return;
      const abs = this.absolute(c.raw);
      try {
        if (lstatSync(abs).isFile()) chmodSync(abs, mode);
      } catch {
        // gone again already: the next checkpoint sees it
      }
    });
  }

  /** Drop from the private index those of `changes` that the ignore rules now exclude. */
  async untrackIgnored(changes: TreeChange[]): Promise<void> {
    if (changes.length === 0) return;
    const check = await this.run(["check-ignore", "--no-index", "-z", "--stdin"], { stdin: nulList(changes), allowFail: true });
    if (check.code > 1) throw new PurpleError("IO_ERROR", `git check-ignore failed (exit ${check.code}) in the territory audit of ${this.root}: ${check.stderr.trim()}`);
    if (check.stdout.length === 0) return;
    await this.run(["rm", "--cached", "-q", "--ignore-unmatch", "--pathspec-from-file=-", "--pathspec-file-nul"], {
      stdin: check.stdout,
      env: { GIT_LITERAL_PATHSPECS: "1" },
    });
  }

  /** The tree id of the private index as it is now. */
  async writeTree(): Promise<string> {
    return new TextDecoder().decode((await this.run(["write-tree"])).stdout).trim();
  }

  /** True for root-relative paths that are never audited (belt and braces: git excludes them already). */
  isExcluded(path: string): boolean {
    if (path === ".git" || path.startsWith(".git/")) return true;
    return this.excluded.some((e) => path === e || path.startsWith(e + "/"));
  }

  /** A root-relative path (raw bytes, as git gave it) made absolute, still as bytes. */
  absolute(raw: Uint8Array): Buffer {
    return Buffer.concat([Buffer.from(this.root + "/"), raw]);
  }

  /**
   * Drop objects nothing needs any more once they pile up (issue 14: 600 MiB of agent output became
   * 1.2 GiB of snapshots): over `maxLoose` loose objects or `maxBytes` of store, everything not
   * reachable from the private index or the baseline tree `keep` is pruned. Checked at most once a
   * minute (count-objects is a process), and always when asked with no earlier check.
   */
  async pruneIfLarge(keep: string, maxLoose = 50_000, maxBytes = AUDIT_STORE_MAX_BYTES): Promise<void> {
    const now = Date.now();
    if (now - this.lastPruneCheck < PRUNE_CHECK_EVERY_MS) return;
    this.lastPruneCheck = now;
    const counts = new TextDecoder().decode((await this.run(["count-objects", "-v"])).stdout);
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(counts)?.[1] ?? 0);
    const bytes = (field("size") + field("size-pack")) * 1024;
    if (field("count") <= maxLoose && bytes <= maxBytes) return;
    // A ref keeps the baseline tree (and what it names) through the prune.
    await this.run(["update-ref", "refs/purple/baseline", keep]);
    await this.run(["prune", "--expire=now"]);
    if (field("size-pack") * 1024 > maxBytes) await this.run(["repack", "-a", "-d", "-q"], { allowFail: true });
  }

  /** Forget the private index (next snapshot hashes every file afresh). */
  resetIndex(): void {
    rmSync(this.indexFile, { force: true });
  }

  // Start from a copy of the user's index: its blobs live in the alternate store and its stat
  // cache is valid for this work tree, so the first snapshot hashes nothing that git knows.
  // Skipped when the copy could mislead: entries git would not refresh (assume-unchanged,
  // skip-worktree, conflicts), or content converted on the way in (.gitattributes, autocrlf),
  // where the user's blob is not the file's bytes.
  private async seedIndex(): Promise<void> {
    const userIndex = join(this.root, ".git", "index");
    if (!existsSync(userIndex) || existsSync(join(this.root, ".git", "info", "attributes"))) return;
    const autocrlf = await this.run(["config", "--get", "core.autocrlf"], {
      // The user's own settings decide here, so read their system and global config (read-only).
      env: {
        GIT_DIR: join(this.root, ".git"),
        GIT_WORK_TREE: undefined,
        GIT_INDEX_FILE: undefined,
        HOME: process.env.HOME,
        XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME,
        GIT_CONFIG_NOSYSTEM: undefined,
        GIT_CONFIG_GLOBAL: undefined,
      },
      allowFail: true,
    });
    const crlf = new TextDecoder().decode(autocrlf.stdout).trim();
    if (crlf === "true" || crlf === "input") return;
    try {
      copyFileSync(userIndex, this.indexFile);
      // Keep the original mtime: git's racy-clean check compares file times with the index's.
      const st = statSync(userIndex);
      utimesSync(this.indexFile, st.atime, st.mtime);
      const listing = await this.run(["ls-files", "-v", "-z"]);
      const entries = new TextDecoder().decode(listing.stdout).split("\0").filter(Boolean);
      const usable = entries.every((e) => e.startsWith("H ") && !/(^|\/)\.gitattributes$/.test(e.slice(2)));
      if (!usable) return this.resetIndex();
      // Tracked files under purpled's own directories stay tracked in a copy: drop them.
      await this.run(["rm", "--cached", "-r", "-q", "--ignore-unmatch", "--", ...this.excluded.map((p) => `:(top,literal)${p}`)]);
    } catch {
      this.resetIndex(); // an index git cannot read here (split index, sha256, ...) is only a lost shortcut
    }
  }
}

function currentPerms(path: Buffer): number | null {
  try {
    const st = lstatSync(path);
    return st.isFile() ? st.mode & 0o7777 : null;
  } catch {
    return null;
  }
}

// The user's object directory when the root is a plain sha1 git repository, else null.
function userObjectStore(root: string): string | null {
  const dotGit = join(root, ".git");
  try {
    if (!lstatSync(dotGit).isDirectory()) return null;
    const config = readFileSync(join(dotGit, "config"), "utf8");
    if (/objectformat\s*=\s*sha256/i.test(config)) return null;
    return realpathSync(join(dotGit, "objects"));
  } catch {
    return null;
  }
}

// Paths as git reads them from --pathspec-from-file with --pathspec-file-nul.
function nulList(changes: TreeChange[]): Uint8Array {
  return Buffer.concat(changes.flatMap((c) => [Buffer.from(c.raw), Buffer.from([0])]));
}
