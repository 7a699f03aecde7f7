// The sandbox itself (daemon/sandbox/), on the real kernel, as root and as an unprivileged user:
// every kind of change outside the territory is held back when it is made (RELIABILITY 27), the
// host (home, .git/, O/, O/.purple, other processes) is out of reach, nothing outlives the
// process (RELIABILITY 26), and allowed changes are applied exactly.
import { describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Case, CaseResult } from "./support/sandbox-scenario.ts";
import { processesWith } from "./support/procs.ts";
import { isRoot, sandboxWorks, unprivilegedUser } from "./support/sandbox.ts";

const SCENARIO = join(import.meta.dir, "support", "sandbox-scenario.ts");
const T = ["src/**"];
/** A command line no other process has: the setsid survivor's, looked for on the host afterwards. */
const SURVIVOR = `sleep 3.${100000 + Math.floor(Math.random() * 899999)}`;
const base = { territory: T, files: { "src/a.txt": "a\n", "lib/keep.txt": "keep\n", "README.md": "readme\n" } };

const CASES: Case[] = [
  { ...base, name: "honest", script: "echo b > src/b.txt && echo A >> src/a.txt && mkdir -p src/deep/er && echo z > src/deep/er/z.txt && chmod 600 src/a.txt && ln -s a.txt src/link" },
  { ...base, name: "content-outside", script: "echo HACKED > lib/keep.txt; echo new > stray.txt; echo ok > src/ok.txt" },
  { ...base, name: "delete-outside", script: "rm -rf lib README.md" },
  { ...base, name: "chmod-000-hides-edit", script: "echo edited > lib/keep.txt && chmod 000 lib/keep.txt" },
  { ...base, name: "setuid-and-world-writable", script: "echo x > src/s && chmod 4755 src/s && echo y > src/w && chmod o+w src/w" },
  { ...base, name: "fifo", script: "mkfifo src/pipe" },
  { ...base, name: "symlink-out", script: "ln -s /etc/passwd src/pw; ln -s ../../outside src/up" },
  { ...base, name: "hard-link-out", script: "ln /etc/passwd src/pw 2>&1; ln lib/keep.txt src/keep-link && echo via-link >> src/keep-link" },
  { ...base, name: "nested-git-fsmonitor", script: "mkdir -p src/.git && printf '[core]\\n\\tfsmonitor = touch /tmp/pwned\\n' > src/.git/config" },
  { ...base, name: "root-git-and-orchestration", script: "echo hook > .git/hooks/pre-commit; echo plan > .context-kit/orchestration/inbox.yaml; ls -a .context-kit/orchestration/.purple; echo exit=$?" },
  { ...base, name: "new-root-git", setup: "rm -rf .git", script: "mkdir .git && echo '[core]' > .git/config" },
  { ...base, name: "home-and-host", script: 'echo x >> "$HOME/.bashrc"; echo y > /etc/purple-test; echo z > /usr/purple-test; echo tmp > /tmp/scratch && echo tmp-ok' },
  { ...base, name: "proc-and-pids", script: "ls /proc | grep -c '^[0-9]' ; cat /proc/1/cmdline | tr '\\0' ' '; echo" },
  { ...base, name: "setsid-survivor", script: `setsid nohup bash -c '${SURVIVOR}; echo late > src/late.txt' >/dev/null 2>&1 & echo spawned` },
];

function runAs(user: { uid: number; gid: number } | null, cases: Case[]): CaseResult[] {
  const dir = mkdtempSync(join(tmpdir(), "purple-sbx-"));
  chmodSync(dir, 0o777);
  const casesFile = join(dir, "cases.json");
  writeFileSync(casesFile, JSON.stringify(cases));
  chmodSync(casesFile, 0o644);
  const prefix = user ? ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--"] : [];
  // A home outside /tmp (the sandbox has its own /tmp), as a real user's would be.
  const home = user ? mkdtempSync("/var/tmp/purple-home-") : (process.env.HOME ?? "/root");
  if (user) chownSync(home, user.uid, user.gid);
  const env = { PATH: "/usr/bin:/bin", HOME: home, TMPDIR: dir };
  const run = Bun.spawnSync([...prefix, process.execPath, SCENARIO, casesFile, dir], { env, stdout: "pipe", stderr: "pipe" });
  const lines = run.stdout.toString().trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  if (lines.length === 0) throw new Error(`the scenario printed nothing (exit ${run.exitCode}): ${run.stderr.toString()}`);
  if (lines[0].unavailable) throw new Error(`no sandbox for this user: ${lines[0].unavailable}`);
  return lines as CaseResult[];
}

const untouched = (r: CaseResult) => {
  expect(r.applied).toBe(false);
  expect(r.after["lib/keep.txt"]).toBe("keep\n (644, nlink 1)");
  expect(r.after["README.md"]).toBe("readme\n (644, nlink 1)");
  expect(r.after["src/a.txt"]).toBe("a\n (644, nlink 1)");
};

function suite(label: string, results: () => CaseResult[]) {
  const by = (name: string) => results().find((r) => r.name === name)!;
  describe(label, () => {
    test("honest work inside the territory is applied exactly: new, appended, deep, mode, relative link", () => {
      const r = by("honest");
      expect(r.refused).toEqual([]);
      expect(r.applied).toBe(true);
      expect(r.after["src/b.txt"]).toBe("b\n (644, nlink 1)");
      expect(r.after["src/a.txt"]).toBe("a\nA\n (600, nlink 1)");
      expect(r.after["src/deep/er/z.txt"]).toBe("z\n (644, nlink 1)");
      expect(r.after["src/link"]).toBe("-> link");
      expect(r.after["lib/keep.txt"]).toBe("keep\n (644, nlink 1)");
    });
    test("content written outside: refused, nothing applied (not even the file inside)", () => {
      const r = by("content-outside");
      expect(r.refused.map((x) => x.split(":")[0]).sort()).toEqual(["lib/keep.txt", "stray.txt"]);
      untouched(r);
      expect(r.after["stray.txt"]).toBeUndefined();
      expect(r.after["src/ok.txt"]).toBeUndefined();
    });
    test("deletes outside: refused, the files are still there", () => {
      const r = by("delete-outside");
      expect(r.refused.map((x) => x.split(":")[0]).sort()).toEqual(["README.md", "lib"]);
      untouched(r);
    });
    test("chmod 000 hiding an edit: refused, content and mode unchanged", () => {
      const r = by("chmod-000-hides-edit");
      expect(r.refused[0]).toStartWith("lib/keep.txt: is outside");
      untouched(r);
    });
    test("setuid and world-writable modes, even inside the territory: refused", () => {
      const r = by("setuid-and-world-writable");
      expect(r.refused.join("\n")).toMatch(/src\/s: has mode 04755: setuid/);
      expect(r.refused.join("\n")).toMatch(/src\/w: has mode 0646: world-writable/);
      untouched(r);
    });
    test("a FIFO: refused as a special file", () => {
      expect(by("fifo").refused).toEqual(["src/pipe: is a special file (FIFO, socket or device); only files, directories and symlinks are taken"]);
    });
    test("symlinks leading out of the project: refused", () => {
      const r = by("symlink-out");
      expect(r.refused.join("\n")).toMatch(/src\/pw: is a symlink to the absolute path \/etc\/passwd/);
      expect(r.refused.join("\n")).toMatch(/src\/up: is a symlink to \.\.\/\.\.\/outside, which leads out/);
    });
    test("hard links: none to the host (EXDEV); one to a file outside the territory copies it up, and that copy is refused", () => {
      const r = by("hard-link-out");
      expect(r.output).toMatch(/Invalid cross-device link|Operation not permitted|Read-only/);
      expect(r.refused.map((x) => x.split(":")[0])).toContain("lib/keep.txt");
      untouched(r);
    });
    test("a nested .git with core.fsmonitor: refused", () => {
      const r = by("nested-git-fsmonitor");
      expect(r.refused.join("\n")).toMatch(/src\/\.git.*\.git\/ directory/);
      untouched(r);
    });
    test("the root's .git/ and O/ are read-only at write time; O/.purple is not even visible", () => {
      const r = by("root-git-and-orchestration");
      expect(r.output).toMatch(/\.git\/hooks\/pre-commit: Read-only file system/);
      expect(r.output).toMatch(/inbox\.yaml: Read-only file system/);
      expect(r.output).not.toContain("daemon.json");
      expect(r.after[".git/hooks/pre-commit"]).toBeUndefined();
      expect(r.changes).toEqual([]);
    });
    test("a new root .git in a project that had none: refused", () => {
      const r = by("new-root-git");
      expect(r.refused.join("\n")).toMatch(/^\.git: is inside a \.git\/ directory/m);
      expect(r.after[".git"]).toBeUndefined();
    });
    test("home, /etc and /usr are read-only; /tmp is private scratch", () => {
      const r = by("home-and-host");
      expect(r.output).toMatch(/\.bashrc: Read-only file system/);
      expect(r.output).toMatch(/\/etc\/purple-test: Read-only file system/);
      expect(r.output).toContain("tmp-ok");
      expect(r.changes).toEqual([]);
    });
    test("its own PID namespace: a handful of pids, none of purpled's", () => {
      const r = by("proc-and-pids");
      const count = Number(r.output.trim().split("\n")[0]);
      expect(count).toBeLessThan(10);
      expect(r.output).toContain("bwrap");
    });
    test("a setsid nohup child dies with the process: nothing writes later", async () => {
      const r = by("setsid-survivor");
      expect(r.output).toContain("spawned");
      // the namespace's last processes are killed as it goes; allow the kernel a moment to finish reaping them
      for (let i = 0; i < 100 && processesWith(SURVIVOR).length > 0; i++) await Bun.sleep(10);
      expect(processesWith(SURVIVOR)).toEqual([]);
      expect(r.changes).toEqual([]);
    });
  });
}

describe.skipIf(!sandboxWorks())("the sandbox", () => {
  let asMe: CaseResult[] = [];
  suite(isRoot ? "as root" : "as this (unprivileged) user", () => (asMe.length ? asMe : (asMe = runAs(null, CASES))));

  const user = unprivilegedUser();
  if ("skip" in user) {
    test.skip(`as an unprivileged user: ${user.skip}`, () => {});
  } else {
    let asUser: CaseResult[] = [];
    suite(`as the unprivileged user ${user.name}`, () => (asUser.length ? asUser : (asUser = runAs(user, CASES))));

    test("unprivileged: a file of the territory owned by another user is named before the agent starts; the write fails with EOVERFLOW and nothing reaches the project", () => {
      const dir = mkdtempSync(join(tmpdir(), "purple-foreign-"));
      chmodSync(dir, 0o755);
      const root = join(dir, "project");
      mkdirSync(join(root, "src"), { recursive: true });
      writeFileSync(join(root, "src", "mine.txt"), "mine\n");
      writeFileSync(join(root, "src", "roots.txt"), "root's\n");
      chownSync(root, user.uid, user.gid);
      chownSync(join(root, "src"), user.uid, user.gid);
      chownSync(join(root, "src", "mine.txt"), user.uid, user.gid);
      chmodSync(join(root, "src", "roots.txt"), 0o666);
      const [r] = runAs(user, [{ name: "foreign", territory: T, existingRoot: root, script: "echo more >> src/roots.txt; echo mine2 >> src/mine.txt" }]);
      expect(r!.warning).toContain("src/roots.txt");
      expect(r!.warning).toContain("EOVERFLOW");
      expect(r!.output).toMatch(/roots\.txt: Value too large for defined data type/);
      expect(r!.after["src/roots.txt"]).toBe("root's\n (666, nlink 1)");
      expect(r!.after["src/mine.txt"]).toBe("mine\nmine2\n (644, nlink 1)");
    });
  }
});
