// The attacks of issue 10, each against the real purpled, as root and as an unprivileged user:
// an agent driving the daemon, a gate planting a git hook, a run_command test planting hooks and
// reading the key, processes outliving their agent, the audit's blind spots, and a trespass into a
// concurrently running agent's territory. Each is refused; the project, O/, .git/ and home stay as
// they were; only the trespasser fails.
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import YAML from "yaml";
import { join } from "node:path";
import { AgentStatus, type PlanInput } from "../protocol/index.ts";
import { BUN, DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { dropPlan, expectValid, readJson } from "./support/files.ts";
import { processesWith, processRunning } from "./support/procs.ts";
import { TestRpc } from "./support/rpc.ts";
import { ScriptedApi, type ScriptStep } from "./support/scripted-api.ts";
import { isRoot, sandboxWorks, unprivilegedUser } from "./support/sandbox.ts";

const HELPER = join(import.meta.dir, "support", "agent-rpc.ts");
const CANARY = "sk-ant-CANARY-sandbox-5e1f0a";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

type User = { uid: number; gid: number } | null;
/** The argv prefix that runs purpled as `user` (none: as this process's user). */
const asUser = (user: User) => (user ? ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--"] : []);
const sh = (script: string) => ({ kind: "command" as const, command: ["bash", "-c", script] });
const statusOf = (dir: string, agent: string) => expectValid(AgentStatus, readJson(join(dir, "status", `${agent}.json`)), agent);
const logOf = (dir: string, agent: string) => readFileSync(join(dir, "agents", agent, "output.log"), "utf8");

/** A project (owned by `user`), a home with a .bashrc, and purpled started on them. */
async function project(user: User, opts: { git?: boolean; files?: Record<string, string>; env?: Record<string, string> } = {}) {
  const root = tempRoot({ git: opts.git ?? true, files: opts.files });
  mkdirSync(join(orchestrationDir(root), "inbox"), { recursive: true });
  const home = user ? mkdtempSync("/var/tmp/purple-home-") : (process.env.HOME ?? "/root");
  const bashrc = join(home, ".bashrc");
  if (user) writeFileSync(bashrc, "# the user's own\n");
  const before = existsSync(bashrc) ? readFileSync(bashrc, "utf8") : null;
  if (user) {
    chmodSync(root, 0o755);
    expect(Bun.spawnSync(["chown", "-R", `${user.uid}:${user.gid}`, root, home]).exitCode).toBe(0);
  }
  const d = new DaemonProcess(root, ["--sandbox", "on"], { HOME: home, ...(opts.env ?? {}) }, asUser(user));
  cleanups.push(() => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();
  const homeUnchanged = () => expect(existsSync(bashrc) ? readFileSync(bashrc, "utf8") : null).toBe(before);
  return { root, d, home, homeUnchanged };
}

const users: [string, User | "skip"][] = [[isRoot ? "as root" : "as this user", null]];
const other = unprivilegedUser();
users.push(["skip" in other ? `unprivileged (skipped: ${other.skip})` : `as the unprivileged user ${other.name}`, "skip" in other ? "skip" : other]);

for (const [label, who] of users) {
  const user = who === "skip" ? null : who;
  describe.skipIf(!sandboxWorks() || who === "skip")(`sandboxed agents, ${label}`, () => {
    test("an agent cannot drive the daemon: admin socket and O/.purple hidden, its channel refuses all but its own methods, its gate plants no hook, nothing outlives it", async () => {
      const { root, d, homeUnchanged } = await project(user);
      const admin = JSON.parse(readFileSync(join(orchestrationDir(root), ".purple", "daemon.json"), "utf8")).socket as string;
      const rpc = `"${BUN}" "${HELPER}"`;
      const script = [
        `test -r "${orchestrationDir(root)}/.purple/daemon.json" && echo "daemon.json: READABLE" || echo "daemon.json: hidden"`,
        `${rpc} "${admin}" daemon.status`,
        `${rpc} "$PURPLE_SOCKET" daemon.status`,
        `${rpc} "$PURPLE_SOCKET" plan.submit '{"path":"x.yaml"}'`,
        `${rpc} "$PURPLE_SOCKET" plan.approve '{"plan":"drive"}'`,
        `${rpc} "$PURPLE_SOCKET" plan.cancel '{"plan":"drive"}'`,
        `${rpc} "$PURPLE_SOCKET" daemon.shutdown`,
        `${rpc} "$PURPLE_SOCKET" events.subscribe`,
        `${rpc} "$PURPLE_SOCKET" purple_report_progress '{"plan":"victim","message":"x"}'`,
        `${rpc} "$PURPLE_SOCKET" purple_progress_start_ticket '{"ticketId":"V-1"}'`,
        `${rpc} "$PURPLE_SOCKET" agent.note '{"note":"hello from inside"}'`,
        `${rpc} "$PURPLE_SOCKET" purple_progress_start_ticket '{"ticketId":"D-1"}'`,
        `cat /proc/${d.proc.pid}/environ >/dev/null 2>&1 && echo "environ: READABLE" || echo "environ: unreachable"`,
        `echo pwned >> "$HOME/.bashrc" 2>/dev/null && echo "home: WRITTEN" || echo "home: read-only"`,
        `setsid nohup bash -c 'sleep 1.91; echo late > src/late.txt' >/dev/null 2>&1 &`,
        `mkdir -p src && echo done > src/done.txt`,
      ].join("\n");
      const dir = dropPlan(root, {
        apiVersion: "purple/v1",
        name: "drive",
        defaults: { runner: "command", retries: 0, timeout: "60s" },
        agents: [{ id: "attacker", territory: ["src/"], tickets: [{ id: "D-1", title: "do it" }], runner: sh(script) }, { id: "victim", territory: ["other/"], dependsOn: ["attacker"], tickets: [{ id: "V-1", title: "v" }], runner: sh("true") }],
        waves: [{ id: "w", agents: ["attacker"], gate: [{ run: "echo hook > .git/hooks/pre-commit; echo g > src/gate.txt; test -f src/done.txt" }, { manual: "a person reviews it" }] }, { id: "w2", agents: ["victim"] }],
      });
      expect((await d.planEnded("drive", 60_000)).state).toBe("blocked"); // its own manual gate: only a person can pass it
      const log = logOf(dir, "attacker");
      expect(log).toContain("daemon.json: hidden");
      expect(log).toMatch(new RegExp(`^daemon.status -> NO-CONNECT`, "m"));
      const status = log.match(/^daemon.status -> OK (.*)$/m);
      expect(status).not.toBeNull();
      expect(JSON.parse(status![1]!).plans.map((p: { plan: string }) => p.plan)).toEqual(["drive"]);
      for (const m of ["plan.submit", "plan.approve", "plan.cancel", "daemon.shutdown", "events.subscribe", "purple_report_progress"]) expect(log).toContain(`${m} -> ERR FORBIDDEN`);
      expect(log).toMatch(/^purple_progress_start_ticket -> ERR FORBIDDEN$/m); // V-1 is the victim's
      expect(log).toContain("agent.note -> OK {}");
      expect(log).toMatch(/^purple_progress_start_ticket -> OK \{\}$/m); // D-1 is its own
      expect(log).toContain("environ: unreachable");
      expect(log).toContain("home: read-only");
      expect(statusOf(dir, "attacker").notes).toContain("hello from inside");
      expect(statusOf(dir, "attacker").state).toBe("completed");
      // the gate ran, in a view whose changes were dropped: no hook, no scratch file
      expect(existsSync(join(root, ".git", "hooks", "pre-commit"))).toBe(false);
      expect(existsSync(join(root, "src", "gate.txt"))).toBe(false);
      expect(readdirSync(join(root, "src"))).toEqual(["done.txt"]);
      expect(processesWith("sleep 1.91")).toEqual([]);
      homeUnchanged();
      const client = await TestRpc.connect(admin);
      cleanups.push(() => client.close());
      expect((await client.call("daemon.status")).sandbox.kind).toBe("overlay");
    }, 90_000);

    test("plan folders with links or special files inside, dropped or submitted: refused with a reason; nothing is written through them", async () => {
      const { root, d } = await project(user);
      const outside = mkdtempSync("/var/tmp/purple-outside-");
      const target = join(outside, "bashrc");
      writeFileSync(target, "# mine\n");
      mkdirSync(join(outside, "elsewhere"));
      const folder = (name: string) => {
        const f = join(outside, name);
        mkdirSync(join(f, "agents", "x"), { recursive: true });
        writeFileSync(join(f, "plan.yaml"), YAML.stringify({ apiVersion: "purple/v1", name, defaults: { runner: "command" }, agents: [{ id: "x", territory: ["out/"], runner: sh("echo ran") }], waves: [{ id: "w", agents: ["x"] }] }));
        symlinkSync(target, join(f, "agents", "x", "output.log"));
        symlinkSync(join(outside, "elsewhere"), join(f, "status"));
        expect(Bun.spawnSync(["mkfifo", join(f, "pipe")]).exitCode).toBe(0);
        if (user) Bun.spawnSync(["chown", "-R", "-h", `${user.uid}:${user.gid}`, outside]); // the project's owner drops it
        return f;
      };
      // dropped: rejected, with every reason
      renameSync(folder("linked"), join(orchestrationDir(root), "inbox", "linked"));
      const errorFile = join(orchestrationDir(root), "inbox", "rejected", "linked.error.json");
      for (let i = 0; i < 400 && !existsSync(errorFile); i++) await Bun.sleep(25);
      const problems = JSON.parse(readFileSync(errorFile, "utf8")) as { message: string }[];
      const text = problems.map((p) => p.message).join("\n");
      expect(text).toContain("agents/x/output.log is a symbolic link");
      expect(text).toContain("status is a symbolic link");
      expect(text).toContain("pipe is a FIFO");
      expect(existsSync(join(orchestrationDir(root), "linked"))).toBe(false);
      // submitted: refused before anything is copied
      const client = await TestRpc.connect(JSON.parse(readFileSync(join(orchestrationDir(root), ".purple", "daemon.json"), "utf8")).socket);
      cleanups.push(() => client.close());
      const sub = folder("submitted");
      const reply = await client.request("plan.submit", { path: sub });
      expect(reply.error?.data?.code).toBe("PLAN_INVALID");
      expect(reply.error?.message).toContain("is a symbolic link");
      // placed straight into O/ (picked up there, not through the inbox): the planted links are removed, never written through
      const direct = folder("direct");
      rmSync(join(direct, "pipe"));
      renameSync(direct, join(orchestrationDir(root), "direct"));
      expect((await d.planEnded("direct", 30_000)).state).toBe("succeeded");
      expect(lstatSync(join(orchestrationDir(root), "direct", "status")).isDirectory()).toBe(true);
      expect(readFileSync(join(orchestrationDir(root), "direct", "agents", "x", "output.log"), "utf8")).toContain("ran");
      expect(readFileSync(target, "utf8")).toBe("# mine\n");
      expect(readdirSync(join(outside, "elsewhere"))).toEqual([]);
      expect(d.proc.exitCode).toBeNull();
    }, 60_000);

    test("purpled killed with SIGKILL: nothing of its sandboxes outlives the restart (setsid children included)", async () => {
      const { root, d } = await project(user);
      const dir = dropPlan(root, {
        apiVersion: "purple/v1",
        name: "orphans",
        defaults: { runner: "command", retries: 0, timeout: "60s" },
        agents: [{ id: "long", territory: ["src/"], runner: sh("setsid nohup sleep 300.93 >/dev/null 2>&1 & echo started; sleep 301.93") }],
        waves: [{ id: "w", agents: ["long"] }],
      });
      const log = join(dir, "agents", "long", "output.log");
      for (let i = 0; i < 400 && !(existsSync(log) && readFileSync(log, "utf8").includes("started")); i++) await Bun.sleep(25);
      for (let i = 0; i < 200 && processesWith("sleep 300.93").length === 0; i++) await Bun.sleep(10);
      const before = [...processesWith("sleep 300.93"), ...processesWith("sleep 301.93")];
      expect(before.length).toBeGreaterThan(0);
      d.proc.kill("SIGKILL");
      await d.exited;
      // Usually they are gone already (bubblewrap dies with its parent); the restart reaps whatever is not.
      const again = new DaemonProcess(root, ["--sandbox", "on"], { HOME: "/var/tmp" }, asUser(user));
      cleanups.push(() => again.proc.exitCode === null && again.stop("SIGKILL"));
      await again.started(); // (the interrupted agent then runs again: new processes, not these)
      for (let i = 0; i < 200 && before.some(processRunning); i++) await Bun.sleep(10);
      expect(before.filter(processRunning)).toEqual([]);
    }, 60_000);

    test("the audit's blind spots are held back at write time: chmod 000, setuid, a FIFO, a nested .git, a new root .git, a hard link out — each agent fails naming its own path", async () => {
      const { root, d, homeUnchanged } = await project(user, { git: false, files: { "shared/lib.txt": "shared\n" } });
      const agents: [string, string, string][] = [
        ["chmod", "mkdir -p a && echo x > a/x && echo edit >> shared/lib.txt && chmod 000 shared/lib.txt", "shared/lib.txt"],
        ["setuid", "mkdir -p b && echo x > b/s && chmod 4755 b/s && echo y > b/w && chmod o+w b/w", "b/s"],
        ["fifo", "mkdir -p c && mkfifo c/pipe", "c/pipe"],
        ["nested-git", "mkdir -p d/.git && printf '[core]\\n\\tfsmonitor = touch /tmp/x\\n' > d/.git/config", "d/.git"],
        ["root-git", "mkdir -p .git/hooks && echo hook > .git/hooks/post-checkout", ".git"],
        ["hard-link", "mkdir -p f && ln shared/lib.txt f/lnk && echo more >> f/lnk", "shared/lib.txt"],
      ];
      const territories = ["a/", "b/", "c/", "d/", "e/", "f/"];
      const dir = dropPlan(root, {
        apiVersion: "purple/v1",
        name: "blind",
        maxAgents: 6,
        defaults: { runner: "command", retries: 0, timeout: "60s" },
        agents: agents.map(([id, script], i) => ({ id, territory: [territories[i]!], runner: sh(script) })),
        waves: [{ id: "w", agents: agents.map(([id]) => id) }],
      });
      expect((await d.planEnded("blind", 60_000)).state).toBe("failed");
      for (const [id, , path] of agents) {
        const s = statusOf(dir, id);
        expect(s.state).toBe("failed");
        expect(s.reason).toContain(`${path} (`);
        expect(s.violations.map((v) => v.action)).not.toContain("reverted");
        // nobody else's paths are blamed on it
        const named = [...s.reason!.matchAll(/(?:: |; )([^ ;]+) \(/g)].map((m) => m[1]!.split("/")[0]);
        expect(new Set(named), `${id} is blamed only for its own paths`).toEqual(new Set([path.split("/")[0]]));
      }
      expect(readFileSync(join(root, "shared", "lib.txt"), "utf8")).toBe("shared\n");
      expect(readdirSync(root).sort()).toEqual([".context-kit", "shared"]);
      homeUnchanged();
    }, 90_000);

    test("two agents side by side, one trespasses into the other's territory: only the trespasser fails; the other's files are exactly its own", async () => {
      const { root, d } = await project(user);
      const dir = dropPlan(root, {
        apiVersion: "purple/v1",
        name: "neighbours",
        defaults: { runner: "command", retries: 0, timeout: "60s" },
        agents: [
          { id: "rogue", territory: ["src/a/"], runner: sh("mkdir -p src/a src/b && echo mine > src/a/x.txt && sleep 0.5 && echo evil > src/b/evil.txt && echo overwritten > src/b/y.txt") },
          { id: "honest", territory: ["src/b/"], runner: sh("mkdir -p src/b && echo y > src/b/y.txt && sleep 1 && echo z > src/b/z.txt") },
        ],
        waves: [{ id: "w", agents: ["rogue", "honest"] }],
      });
      expect((await d.planEnded("neighbours", 60_000)).state).toBe("failed");
      const rogue = statusOf(dir, "rogue");
      const honest = statusOf(dir, "honest");
      expect(rogue.state).toBe("failed");
      expect(rogue.reason).toContain("src/b/evil.txt (is outside the agent's territory)");
      expect(honest.state).toBe("completed");
      expect(honest.violations).toEqual([]);
      expect(honest.changedFiles.sort()).toEqual(["src/b/y.txt", "src/b/z.txt"]);
      expect(readdirSync(join(root, "src"))).toEqual(["b"]);
      expect(readdirSync(join(root, "src", "b")).sort()).toEqual(["y.txt", "z.txt"]);
      expect(readFileSync(join(root, "src", "b", "y.txt"), "utf8")).toBe("y\n");
    }, 90_000);

    test("anthropic run_command: a script the agent wrote cannot plant a hook, drop a plan, read the key or write outside the root; the attempt fails naming the path", async () => {
      const evil = [
        "echo '#!/bin/sh' > .git/hooks/pre-commit",
        "echo 'apiVersion: purple/v1' > .context-kit/orchestration/inbox/evil.yaml",
        "cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c sk-ant-; echo environ-scan-done",
        "echo hacked > README.md",
      ].join("\n");
      const call = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });
      const api = ScriptedApi.start({
        expectKey: CANARY,
        scripts: { tester: [call("write_file", { path: "src/evil.sh", content: evil }), call("run_command", { command: "sh src/evil.sh" }), call("run_command", { command: "git diff --output=../outside.txt" }), call("run_command", { command: "git diff --output=.git/hooks/post-checkout" }), call("finish", { summary: "done" })] },
      });
      cleanups.push(() => api.stop());
      const keyDir = mkdtempSync("/var/tmp/purple-key-");
      const keyFile = join(keyDir, "key");
      writeFileSync(keyFile, CANARY + "\n", { mode: 0o600 });
      if (user) Bun.spawnSync(["chown", "-R", `${user.uid}:${user.gid}`, keyDir]);
      const { root, d, homeUnchanged } = await project(user, { env: { ANTHROPIC_BASE_URL: api.url } });
      writeFileSync(join(orchestrationDir(root), "purple.yaml"), `apiKeyFile: ${keyFile}\n`);
      // purple.yaml is read at start: restart on it
      await d.stop();
      const d2 = new DaemonProcess(root, ["--sandbox", "on"], { ANTHROPIC_BASE_URL: api.url, HOME: user ? "/var/tmp" : (process.env.HOME ?? "/root") }, asUser(user));
      cleanups.push(() => d2.proc.exitCode === null && d2.stop("SIGKILL"));
      await d2.started();
      expect(readFileSync(`/proc/${d2.proc.pid}/environ`, "latin1")).not.toContain(CANARY);
      const dir = dropPlan(root, {
        apiVersion: "purple/v1",
        name: "tests",
        defaults: { runner: "anthropic", retries: 0, model: "claude-sonnet-4-5", allowedCommands: ["sh", "git diff"] },
        agents: [{ id: "tester", territory: ["src/"], tickets: [{ id: "T-1", title: "t" }] }],
        waves: [{ id: "w", agents: ["tester"] }],
      });
      expect((await d2.planEnded("tests", 60_000)).state).toBe("failed");
      const s = statusOf(dir, "tester");
      expect(s.reason).toContain("README.md (is outside the agent's territory)");
      const transcript = readFileSync(join(dir, "agents", "tester", "transcript.jsonl"), "utf8");
      expect(transcript).toContain("pre-commit: Read-only file system");
      expect(transcript).toContain("evil.yaml: Read-only file system");
      expect(transcript).toContain(String.raw`0\nenviron-scan-done`); // no process it can see holds a key
      expect(transcript).not.toContain(CANARY);
      expect(existsSync(join(root, ".git", "hooks", "pre-commit"))).toBe(false);
      expect(readdirSync(join(orchestrationDir(root), "inbox")).filter((n) => n.startsWith("evil"))).toEqual([]);
      expect(existsSync(join(root, "..", "outside.txt"))).toBe(false);
      expect(existsSync(join(root, ".git", "hooks", "post-checkout"))).toBe(false);
      expect(readFileSync(join(root, "README.md"), "utf8")).toBe("test project\n");
      homeUnchanged();
    }, 90_000);
  });
}

describe("no sandbox, no agents", () => {
  test("where no sandbox works, purpled says so at start and in daemon.json and daemon.status, and starts no agent", async () => {
    const root = tempRoot({ git: true });
    const d = new DaemonProcess(root, ["--sandbox", "on"], { PURPLE_SANDBOX_PATH: "/nonexistent" });
    cleanups.push(() => d.proc.exitCode === null && d.stop("SIGKILL"));
    await d.started();
    expect(d.stderrText.join("\n")).toMatch(/purpled: no sandbox: unshare, mount, bwrap, sh, env not found.*No agent or gate command will start unless O\/purple\.yaml says `sandbox: off`/);
    const info = JSON.parse(readFileSync(join(orchestrationDir(root), ".purple", "daemon.json"), "utf8"));
    expect(info.sandbox).toMatchObject({ kind: "none", agents: false });
    const client = await TestRpc.connect(info.socket);
    cleanups.push(() => client.close());
    expect((await client.call("daemon.status")).sandbox.kind).toBe("none");
    const marker = mkdtempSync("/var/tmp/purple-ran-");
    const dir = dropPlan(root, {
      apiVersion: "purple/v1",
      name: "unboxed",
      defaults: { runner: "command", retries: 0 },
      agents: [{ id: "a", territory: ["out/"], runner: sh(`touch ${marker}/ran`) }],
      waves: [{ id: "w", agents: ["a"] }],
    });
    expect((await d.planEnded("unboxed")).state).toBe("failed");
    expect(statusOf(dir, "a").reason).toContain("no agent starts without a sandbox");
    expect(existsSync(join(marker, "ran"))).toBe(false);
  }, 30_000);
});

test("a restart signals no process it cannot prove its own: a recorded pid now held by an unrelated process survives", async () => {
  const root = tempRoot({ git: true });
  const first = new DaemonProcess(root);
  cleanups.push(() => first.proc.exitCode === null && first.stop("SIGKILL"));
  await first.started();
  expect(await first.stop()).toBe(0);
  const stranger = Bun.spawn(["sleep", "300"], { detached: true, stdio: ["ignore", "ignore", "ignore"] });
  cleanups.push(() => stranger.kill("SIGKILL"));
  // as if a crashed purpled had recorded this pid for one of its agents, which has since died and the pid been reused
  const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  writeFileSync(join(orchestrationDir(root), ".purple", "groups.json"), JSON.stringify([{ pgid: stranger.pid, identity: `${boot}:1`, what: "agent" }]));
  const second = new DaemonProcess(root);
  cleanups.push(() => second.proc.exitCode === null && second.stop("SIGKILL"));
  await second.started();
  expect(processRunning(stranger.pid)).toBe(true);
  expect(JSON.parse(readFileSync(join(orchestrationDir(root), ".purple", "groups.json"), "utf8"))).toEqual([]);
}, 30_000);
