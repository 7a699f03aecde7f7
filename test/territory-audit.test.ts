// The territory audit on real trees: attribution, reverts, absorption, and the user's git left alone.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { TreeAuditor } from "../daemon/territory/audit.ts";

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const gitEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LC_ALL: "C" };

/** Run the user's git in `cwd` and return its stdout. */
function git(cwd: string, ...args: string[]): string {
  const r = Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd, env: gitEnv });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

function put(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const read = (root: string, path: string) => readFileSync(join(root, path), "utf8");

const FILES: Record<string, string> = {
  "README.md": "# readme\n",
  "src/a.ts": "export const a = 1;\n",
  "src/old.ts": "old\n",
  "lib/b.ts": "export const b = 2;\n",
  "docs/keep.md": "keep me\n",
  ".gitignore": "node_modules/\n*.secret\n",
  ".context-kit/orchestration/p/plan.yaml": "name: p\n",
};

/** A project root with FILES, as a git repository with one commit or as a plain directory. */
function project(kind: "git" | "plain"): { root: string; state: string } {
  const root = mkdtempSync(join(tmpdir(), `purple-audit-${kind}-`));
  temps.push(root);
  for (const [path, text] of Object.entries(FILES)) put(root, path, text);
  if (kind === "git") {
    git(root, "init", "-q");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "init");
  }
  return { root, state: join(root, ".context-kit/orchestration/.purple/audit") };
}

const A = { agent: "alpha", territory: ["src/"] };
const B = { agent: "beta", territory: ["lib/**", "docs/*.md"] };

for (const kind of ["git", "plain"] as const) {
  describe(`TreeAuditor on a ${kind} tree`, () => {
    test("a change inside the one running agent's territory is attributed to it", async () => {
      const { root, state } = project(kind);
      const audit = await TreeAuditor.open(root, state);
      put(root, "src/a.ts", "export const a = 2;\n");
      put(root, "src/deep/new.ts", "new\n");
      unlinkSync(join(root, "src/old.ts"));
      const r = await audit.checkpoint([A]);
      expect(r.violations).toEqual([]);
      expect(r.changes).toEqual([{ agent: "alpha", paths: ["src/a.ts", "src/deep/new.ts", "src/old.ts"] }]);
      expect(read(root, "src/a.ts")).toBe("export const a = 2;\n");
      expect((await audit.checkpoint([A])).changes).toEqual([]); // the baseline moved on
    });

    test("changes outside every territory are reverted and blamed on all running agents", async () => {
      const { root, state } = project(kind);
      const audit = await TreeAuditor.open(root, state);
      put(root, "README.md", "# defaced\n");
      put(root, "evil.txt", "created\n");
      put(root, "evil/dir/x.txt", "nested\n");
      unlinkSync(join(root, "docs/keep.md"));
      chmodSync(join(root, "lib/b.ts"), 0o755);
      symlinkSync("/etc/passwd", join(root, "link-out"));
      const r = await audit.checkpoint([A, { agent: "gamma", territory: ["tests/"] }]);
      const byPath = Object.fromEntries(r.violations.map((v) => [v.path, v]));
      expect(Object.keys(byPath).sort()).toEqual(["README.md", "docs/keep.md", "evil.txt", "evil/dir/x.txt", "lib/b.ts", "link-out"]);
      expect(byPath["README.md"]).toEqual({ path: "README.md", agents: ["alpha", "gamma"], action: "reverted" });
      expect(byPath["evil.txt"]!.action).toBe("deleted");
      expect(byPath["docs/keep.md"]!.action).toBe("reverted");
      expect(byPath["link-out"]!.action).toBe("deleted");
      expect(read(root, "README.md")).toBe("# readme\n");
      expect(read(root, "docs/keep.md")).toBe("keep me\n");
      expect(lstatSync(join(root, "lib/b.ts")).mode & 0o777).toBe(0o644);
      expect(existsSync(join(root, "evil.txt"))).toBe(false);
      expect(existsSync(join(root, "evil"))).toBe(false); // emptied directories go too
      expect(existsSync(join(root, "link-out"))).toBe(false);
      expect(r.changes).toEqual([]);
      // Removed files are kept aside, not destroyed.
      const batches = readdirSync(join(state, "quarantine"));
      expect(batches).toHaveLength(1);
      expect(readFileSync(join(state, "quarantine", batches[0]!, "evil/dir/x.txt"), "utf8")).toBe("nested\n");
      // After the reverts the tree equals the baseline: nothing left to report.
      const again = await audit.checkpoint([A]);
      expect(again.violations).toEqual([]);
      expect(again.changes).toEqual([]);
    });

    test("a directory swapped for a symlink pointing out of the root is put back", async () => {
      const { root, state } = project(kind);
      const outside = mkdtempSync(join(tmpdir(), "purple-outside-"));
      temps.push(outside);
      writeFileSync(join(outside, "keep.md"), "attacker's\n");
      const audit = await TreeAuditor.open(root, state);
      rmSync(join(root, "docs"), { recursive: true });
      symlinkSync(outside, join(root, "docs"));
      put(root, "src/via-link.ts", "inside\n");
      const r = await audit.checkpoint([A]);
      expect(r.violations.map((v) => [v.path, v.action])).toEqual([["docs", "deleted"], ["docs/keep.md", "reverted"]]);
      expect(lstatSync(join(root, "docs")).isDirectory()).toBe(true);
      expect(read(root, "docs/keep.md")).toBe("keep me\n");
      expect(readFileSync(join(outside, "keep.md"), "utf8")).toBe("attacker's\n"); // nothing written through the link
      expect(r.changes).toEqual([{ agent: "alpha", paths: ["src/via-link.ts"] }]);
    });

    test("with no agent running, changes are absorbed", async () => {
      const { root, state } = project(kind);
      const audit = await TreeAuditor.open(root, state);
      put(root, "README.md", "# edited by a person\n");
      put(root, "notes.txt", "mine\n");
      const r = await audit.checkpoint([]);
      expect(r.violations).toEqual([]);
      expect(r.changes).toEqual([]);
      expect(r.absorbed.sort()).toEqual(["README.md", "notes.txt"]);
      expect(read(root, "README.md")).toBe("# edited by a person\n");
      expect((await audit.checkpoint([A])).violations).toEqual([]); // part of the baseline now
    });

    test("two agents with disjoint territories each get their own changes", async () => {
      const { root, state } = project(kind);
      const audit = await TreeAuditor.open(root, state);
      put(root, "src/a.ts", "alpha was here\n");
      put(root, "lib/c.ts", "beta\n");
      put(root, "docs/keep.md", "beta edits docs\n");
      const r = await audit.checkpoint([A, B]);
      expect(r.violations).toEqual([]);
      expect(r.changes).toEqual([
        { agent: "alpha", paths: ["src/a.ts"] },
        { agent: "beta", paths: ["docs/keep.md", "lib/c.ts"] },
      ]);
    });

    test("territory src does not cover src-evil/", async () => {
      const { root, state } = project(kind);
      const audit = await TreeAuditor.open(root, state);
      put(root, "src-evil/x", "sneaky\n");
      const r = await audit.checkpoint([{ agent: "alpha", territory: ["src"] }]);
      expect(r.violations).toEqual([{ path: "src-evil/x", agents: ["alpha"], action: "deleted" }]);
      expect(existsSync(join(root, "src-evil"))).toBe(false);
    });

    test("purpled's own directory, ignored files, FIFOs and .git are not audited", async () => {
      const { root, state } = project(kind);
      const audit = await TreeAuditor.open(root, state);
      put(root, ".context-kit/orchestration/p/status.json", "{}\n");
      put(root, ".context-kit/orchestration/p/plan.yaml", "name: changed\n");
      put(root, "node_modules/pkg/index.js", "ignored\n");
      put(root, "key.secret", "ignored too\n");
      Bun.spawnSync(["mkfifo", join(root, "a-fifo")]);
      if (kind === "plain") put(root, ".git/config", "not a repo, still never audited\n");
      const r = await audit.checkpoint([A]);
      expect(r).toMatchObject({ changes: [], violations: [], absorbed: [] });
      expect(read(root, ".context-kit/orchestration/p/plan.yaml")).toBe("name: changed\n");
      expect(existsSync(join(root, "node_modules/pkg/index.js"))).toBe(true);
    });

    test("an ignored file revealed by a reverted .gitignore edit is left alone", async () => {
      const { root, state } = project(kind);
      put(root, "prod.secret", "password\n");
      const created = lstatSync(join(root, "prod.secret")).ctimeMs;
      while (Date.now() < created + 120) await Bun.sleep(10); // its inode must predate the baseline
      const audit = await TreeAuditor.open(root, state);
      put(root, ".gitignore", "node_modules/\n");
      const r = await audit.checkpoint([A]);
      expect(r.violations).toEqual([{ path: ".gitignore", agents: ["alpha"], action: "reverted" }]);
      expect(r.absorbed).toEqual(["prod.secret"]);
      expect(read(root, "prod.secret")).toBe("password\n");
      expect(read(root, ".gitignore")).toBe(FILES[".gitignore"]!);
      put(root, "prod.secret", "changed while ignored again\n");
      expect((await audit.checkpoint([A])).violations).toEqual([]);
    });

    test("checkpoints are serialized and a reopened auditor starts from the tree as it is", async () => {
      const { root, state } = project(kind);
      const audit = await TreeAuditor.open(root, state);
      put(root, "src/a.ts", "one\n");
      const [r1, r2] = await Promise.all([audit.checkpoint([A]), audit.checkpoint([A])]);
      expect(r1.changes).toEqual([{ agent: "alpha", paths: ["src/a.ts"] }]);
      expect(r2.changes).toEqual([]);
      put(root, "outside.txt", "between daemons\n");
      const reopened = await TreeAuditor.open(root, state);
      expect((await reopened.checkpoint([A])).violations).toEqual([]);
      expect(r1.durationMs).toBeGreaterThan(0);
    });
  });
}

describe("TreeAuditor and the user's own git repository", () => {
  test("status, index and HEAD are unchanged by open, checkpoints and reverts", async () => {
    const { root, state } = project("git");
    put(root, "lib/b.ts", "staged change\n");
    git(root, "add", "lib/b.ts");
    put(root, "src/a.ts", "unstaged change\n");
    const before = { status: git(root, "status", "--porcelain"), head: git(root, "rev-parse", "HEAD"), staged: git(root, "diff", "--cached") };
    const audit = await TreeAuditor.open(root, state);
    put(root, "README.md", "outside\n");
    put(root, "src/new.ts", "inside\n");
    const r = await audit.checkpoint([A]);
    expect(r.violations.map((v) => v.path)).toEqual(["README.md"]);
    unlinkSync(join(root, "src/new.ts"));
    await audit.checkpoint([A]);
    expect(git(root, "status", "--porcelain")).toBe(before.status);
    expect(git(root, "rev-parse", "HEAD")).toBe(before.head);
    expect(git(root, "diff", "--cached")).toBe(before.staged);
  });

  test("reverts are byte-exact even where .gitattributes asks for line-ending conversion", async () => {
    const { root, state } = project("git");
    put(root, ".gitattributes", "* text=auto\n*.bat text eol=crlf\n");
    put(root, "run.bat", "echo one\r\necho two\r\n");
    put(root, "unix.bat", "echo lf only\n");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "attributes");
    const original = { run: readFileSync(join(root, "run.bat")), unix: readFileSync(join(root, "unix.bat")) };
    const audit = await TreeAuditor.open(root, state);
    put(root, "run.bat", "defaced\n");
    unlinkSync(join(root, "unix.bat"));
    const r = await audit.checkpoint([A]);
    expect(r.violations.map((v) => v.path)).toEqual(["run.bat", "unix.bat"]);
    expect(readFileSync(join(root, "run.bat"))).toEqual(original.run);
    expect(readFileSync(join(root, "unix.bat"))).toEqual(original.unix);
  });

  test("a lock left by a crashed git does not block the next open", async () => {
    const { root, state } = project("git");
    await TreeAuditor.open(root, state);
    writeFileSync(join(state, "index.lock"), "");
    const audit = await TreeAuditor.open(root, state);
    put(root, "src/a.ts", "after the crash\n");
    expect((await audit.checkpoint([A])).changes).toEqual([{ agent: "alpha", paths: ["src/a.ts"] }]);
  });

  test("files the user tracks under .context-kit/orchestration/ stay out of the audit", async () => {
    const { root, state } = project("git");
    const audit = await TreeAuditor.open(root, state);
    rmSync(join(root, ".context-kit/orchestration/p/plan.yaml"));
    const r = await audit.checkpoint([A]);
    expect(r).toMatchObject({ changes: [], violations: [], absorbed: [] });
  });
});
