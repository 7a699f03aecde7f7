// RELIABILITY 14–19 (watcher and plan input) against the real purpled. The PlanWatcher and parser
// unit tests already hold most cases one level down; what they cover is named beside each section.
// Agents here are tiny command agents that append one line per run to a counter file outside the
// root, so "ran exactly once" is a count of lines.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { sandboxWorks } from "./support/sandbox.ts";
import { DaemonInfo, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot, type LogLine } from "./support/daemon.ts";
import { dropPlan, expectValid, listDir, readJson } from "./support/files.ts";
import { TestRpc } from "./support/rpc.ts";

const daemons: DaemonProcess[] = [];
const clients: TestRpc[] = [];
const temps: string[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function scratch(opts?: Parameters<typeof tempRoot>[0]): string {
  const dir = tempRoot(opts);
  temps.push(dir);
  return dir;
}

async function started(root: string, args: string[] = []): Promise<DaemonProcess> {
  const d = new DaemonProcess(root, args);
  daemons.push(d);
  await d.started();
  return d;
}

async function rpcOf(root: string): Promise<TestRpc> {
  const info = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
  const rpc = await TestRpc.connect(info.socket);
  clients.push(rpc);
  return rpc;
}

/** A one-agent plan whose agent appends `tag` (default: the plan's name) to `counter`, once per run. */
function counting(name: string, counter: string, tag = name, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    apiVersion: "purple/v1",
    name,
    defaults: { runner: "command", retries: 0 },
    agents: [{ id: "a", territory: [`out/${name}/`], runner: { kind: "command", command: ["bash", "-c", 'echo "$1" >> "$2"', "agent", tag, counter] } }],
    waves: [{ id: "w", agents: ["a"] }],
    ...extra,
  };
}

/** How many times each tag was written to the counter file. */
function runs(counter: string): Map<string, number> {
  const counts = new Map<string, number>();
  const text = existsSync(counter) ? readFileSync(counter, "utf8") : "";
  for (const line of text.split("\n").filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

/** Resolves once `n` log lines (past or future) match `pred`; rejects after `ms` naming what it waited for. */
async function logCount(d: DaemonProcess, pred: (l: LogLine) => boolean, n: number, what: string, ms = 20_000): Promise<LogLine[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const matched = d.lines.filter(pred);
    if (matched.length >= n) return matched;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} × ${what} (saw ${matched.length}); log:\n${d.stderrText.slice(-20).join("\n")}`);
    await Bun.sleep(20);
  }
}

/** Resolves with the milliseconds until `path` exists; rejects after `ms`. */
async function appears(path: string, ms = 5000): Promise<number> {
  const t0 = performance.now();
  while (!existsSync(path)) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${path}`);
    await Bun.sleep(5);
  }
  return performance.now() - t0;
}

const ended = (prefix: string) => (l: LogLine) => l.msg === "plan ended" && String(l.plan).startsWith(prefix);
const inboxOf = (root: string) => join(orchestrationDir(root), "inbox");
const rejectedOf = (root: string) => join(inboxOf(root), "rejected");
const errorsOf = (root: string, item: string) => readJson(join(rejectedOf(root), `${item}.error.json`)) as { path: string; message: string }[];

// 14 — one level down: inbox-watcher "50 plans copied in at once are each reported exactly once",
// "the same content dropped again gives no second onPlan", "start() processes what arrived while no
// watcher ran; rescan() works without events"; inbox-accept "the same content dropped twice is a duplicate".
describe("RELIABILITY 14: many plans at once, and the rescan", () => {
  test("100 plans dropped at once by cp and 100 by mv each run exactly once; the same content dropped again runs nothing", async () => {
    const root = scratch();
    const outside = scratch();
    const counter = join(outside, "runs");
    const d = await started(root, ["--max-agents", "16"]);
    const inbox = inboxOf(root);
    const stage = (dir: string, prefix: string) => {
      mkdirSync(join(outside, dir));
      return Array.from({ length: 100 }, (_, i) => {
        const file = join(outside, dir, `${prefix}${i}.yaml`);
        writeFileSync(file, YAML.stringify(counting(`${prefix}${i}`, counter)));
        return file;
      });
    };

    const copied = stage("for-cp", "cp-");
    writeFileSync(join(outside, "for-cp", "twin.yaml"), readFileSync(copied[0]!)); // cp-0 twice in one drop
    const cp = Bun.spawnSync(["cp", ...copied, join(outside, "for-cp", "twin.yaml"), inbox]);
    expect(cp.exitCode).toBe(0);
    const moved = stage("for-mv", "mv-");
    const mv = Bun.spawnSync(["mv", ...moved, inbox]);
    expect(mv.exitCode).toBe(0);
    const endings = [...(await logCount(d, ended("cp-"), 100, "cp plan ended", 60_000)), ...(await logCount(d, ended("mv-"), 100, "mv plan ended", 60_000))];
    expect(endings.filter((l) => l.state !== "succeeded")).toEqual([]);

    // the same 100 files again: duplicates by content hash, removed without a run
    expect(Bun.spawnSync(["cp", ...copied, inbox]).exitCode).toBe(0);
    await logCount(d, (l) => /is a duplicate of plan "cp-/.test(l.msg), 101, "duplicates removed", 30_000);
    expect(listDir(inbox)).toEqual([]);

    const counts = runs(counter);
    expect(counts.size).toBe(200);
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
    expect(d.lines.filter(ended("")).length).toBe(200);
  }, 90_000);

  test("a plan the watcher cannot see (O swapped under it) is picked up by the periodic rescan and runs", async () => {
    const root = scratch();
    const outside = scratch();
    const counter = join(outside, "runs");
    const d = await started(root, ["--rescan", "300ms"]);
    const orch = orchestrationDir(root);
    // chokidar keeps watching the old directory where it was moved; a new one takes its place,
    // with purpled's own state carried over so that only the watcher is affected
    renameSync(orch, join(outside, "old-orchestration"));
    mkdirSync(join(orch, "inbox"), { recursive: true });
    renameSync(join(outside, "old-orchestration", ".purple"), join(orch, ".purple"));
    dropPlan(root, counting("missed", counter));
    expect((await d.planEnded("missed")).state).toBe("succeeded");
    const rearmed = d.lines.findIndex((l) => l.msg.startsWith("the orchestration directory was recreated"));
    expect(rearmed).toBeGreaterThan(-1);
    expect(rearmed).toBeLessThan(d.lines.findIndex((l) => l.msg === "plan accepted" && l.plan === "missed"));
    expect(runs(counter).get("missed")).toBe(1);
    // and the re-armed watcher sees the next drop
    dropPlan(root, counting("seen", counter));
    expect((await d.planEnded("seen")).state).toBe("succeeded");
    expect((await (await rpcOf(root)).call("daemon.status")).pid).toBe(d.proc.pid);
  }, 30_000);
});

// 15 — one level down: inbox-watcher "a slowly written file is processed once, complete",
// "dotfiles, temp, swap and backup files are ignored".
describe("RELIABILITY 15: editors and slow writers", () => {
  test("an editor's atomic save (swap file renamed over the plan) and a large file written slowly: each runs once, complete; droppings are ignored", async () => {
    const root = scratch();
    const outside = scratch();
    const counter = join(outside, "runs");
    const d = await started(root);
    const inbox = inboxOf(root);
    const orch = orchestrationDir(root);

    // droppings holding perfectly good plans: had any been read, its agent would have run
    const droppings = [".hidden.yaml", "x.yaml.swp", ".x.yaml.swp", "x.tmp", "4913", "#x.yaml#", "x.yaml~", "x.yaml.crdownload", "x.part"];
    droppings.forEach((name, i) => writeFileSync(join(inbox, name), YAML.stringify(counting(`dropping-${i}`, counter))));

    // ~600 KB written in 10 pieces, 100 ms apart
    const bigText = YAML.stringify(counting("big", counter)) + Array.from({ length: 6000 }, (_, i) => `# ${i} ${"padding ".repeat(12)}`).join("\n") + "\n";
    const piece = Math.ceil(bigText.length / 10);
    for (let i = 0; i < 10; i++) {
      writeFileSync(join(inbox, "big.yaml"), bigText.slice(i * piece, (i + 1) * piece), { flag: "a" });
      await Bun.sleep(100); // the slow writer's own pace, not synchronisation
    }

    // an editor saving a new file: write the swap file, rename it over the name
    const v1 = YAML.stringify(counting("saved", counter, "saved v1"));
    writeFileSync(join(inbox, ".saved.yaml.swp"), v1);
    renameSync(join(inbox, ".saved.yaml.swp"), join(inbox, "saved.yaml"));

    expect((await d.planEnded("big")).state).toBe("succeeded");
    expect(readFileSync(join(orch, "big", "plan.yaml"), "utf8")).toBe(bigText);
    expect((await d.planEnded("saved")).state).toBe("succeeded");

    // the same editor saving the placed plan again: .plan.yaml.swp renamed over O/saved/plan.yaml
    const v2 = YAML.stringify(counting("saved", counter, "saved v2"));
    writeFileSync(join(orch, "saved", ".plan.yaml.swp"), v2);
    renameSync(join(orch, "saved", ".plan.yaml.swp"), join(orch, "saved", "plan.yaml"));
    await logCount(d, ended("saved"), 2, "the saved plan to end twice");

    dropPlan(root, counting("later", counter)); // a later drop: what came before it has been handled
    expect((await d.planEnded("later")).state).toBe("succeeded");
    expect(Object.fromEntries(runs(counter))).toEqual({ big: 1, "saved v1": 1, "saved v2": 1, later: 1 });
    expect(d.lines.filter((l) => l.msg === "plan accepted" && l.plan === "big").length).toBe(1);
    expect(listDir(inbox).sort()).toEqual([...droppings].sort());
    expect(existsSync(rejectedOf(root))).toBe(false);
  }, 30_000);
});

// 16 — one level down: inbox-watcher "the orchestration directory deleted and recreated: plans are picked up again".
describe("RELIABILITY 16: the orchestration directory deleted and recreated", () => {
  test("while purpled runs: the watcher re-arms and a plan dropped afterwards is taken", async () => {
    const root = scratch({ git: true });
    const counter = join(scratch(), "runs");
    const d = await started(root, ["--rescan", "300ms"]);
    dropPlan(root, counting("before", counter));
    expect((await d.planEnded("before")).state).toBe("succeeded");
    rmSync(orchestrationDir(root), { recursive: true });
    mkdirSync(inboxOf(root), { recursive: true });
    await d.waitFor((l) => l.msg.startsWith("the orchestration directory was recreated"), "the watcher to re-arm");
    dropPlan(root, counting("after", counter));
    await d.waitFor((l) => l.msg === "plan accepted" && l.plan === "after", "the plan dropped afterwards to be accepted");
  }, 30_000);

  // Deleting O also deletes O/.purple (the audit's shadow index, the socket, the lock, daemon.json,
  // the journal): purpled rebuilds them when the watcher re-arms, so plans still run, purplectl
  // still reaches it, and no second daemon can take the root.
  test("while purpled runs: a plan dropped afterwards runs to success, and the daemon stays reachable and single", async () => {
    const root = scratch({ git: true });
    const counter = join(scratch(), "runs");
    const d = await started(root, ["--rescan", "300ms"]);
    const socket = String((await d.started()).socket);
    rmSync(orchestrationDir(root), { recursive: true });
    mkdirSync(inboxOf(root), { recursive: true });
    await d.waitFor((l) => l.msg.startsWith("the orchestration directory was recreated"), "the watcher to re-arm");
    dropPlan(root, counting("after", counter));
    expect((await d.planEnded("after")).state).toBe("succeeded");
    expect(runs(counter).get("after")).toBe(1);
    const rpc = await TestRpc.connect(socket);
    clients.push(rpc);
    expect((await rpc.call("daemon.status")).pid).toBe(d.proc.pid);
    expect(readFileSync(join(orchestrationDir(root), ".purple", "lock"), "utf8").trim()).toBe(String(d.proc.pid));
  }, 30_000);
});

// 17 — one level down: inbox-read-item (size cap from the size, NUL bytes, invalid UTF-8) and
// inbox-parse (alias bombs, 5,000-deep nesting, a huge array, __proto__ keys), each on the functions.
describe("RELIABILITY 17: bad plans", () => {
  test("50 MB, binary, invalid UTF-8, an alias bomb, 5,000-deep nesting, a million-element array, __proto__ keys: each gets its error file within a second; purpled keeps serving", async () => {
    const root = scratch();
    const outside = scratch();
    const counter = join(outside, "runs");
    // an 8 MB cap lets the 2 MB million-element array reach the parser; 50 MB is still far over it
    const d = await started(root, ["--max-plan-bytes", String(8 * 1024 * 1024)]);
    const bombLines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, name] of [..."abcdefghijkl"].slice(1).map((c, i) => ["abcdefghijkl"[i]!, c] as const))
      bombLines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    const bad: [string, string | Uint8Array, RegExp][] = [
      ["huge.yaml", Buffer.alloc(50 * 1024 * 1024, "a: b\n"), /over the cap/],
      ["binary.yaml", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]), /NUL/],
      ["latin1.yaml", Buffer.from("apiVersion: purple/v1\nname: caf\xe9\n", "latin1"), /UTF-8/],
      ["bomb.yaml", bombLines.join("\n") + "\n", /alias/],
      ["deep.yaml", "[".repeat(5000) + "]".repeat(5000) + "\n", /deeper/],
      ["million.json", `{"apiVersion":"purple/v1","name":"million","agents":[${Array(1_000_000).fill("0").join(",")}],"waves":[]}`, /more than 100000 elements/],
      ["proto.json", JSON.stringify(counting("proto", counter)).replace("{", '{"__proto__":{"polluted":true},'), /"__proto__" is not allowed/],
      ["proto.yaml", YAML.stringify(counting("proto-yaml", counter)).replace("agents:", "__proto__: { polluted: true }\nagents:"), /"__proto__" is not allowed/],
    ];
    const took: Record<string, number> = {};
    for (const [name, content, reason] of bad) {
      const staged = join(outside, name);
      writeFileSync(staged, content);
      const drop = performance.now();
      renameSync(staged, join(inboxOf(root), name));
      await appears(join(rejectedOf(root), `${name}.error.json`));
      took[name] = Math.round(performance.now() - drop);
      const errors = errorsOf(root, name);
      expect(errors.map((e) => e.message).join("\n")).toMatch(reason);
      for (const e of errors) expect(Object.keys(e).sort()).toEqual(["message", "path"]);
      expect(lstatSync(join(rejectedOf(root), name)).isFile()).toBe(true);
    }
    expect(Object.entries(took).filter(([, ms]) => ms >= 1000)).toEqual([]);

    expect((await (await rpcOf(root)).call("daemon.status")).pid).toBe(d.proc.pid);
    dropPlan(root, counting("still-fine", counter));
    expect((await d.planEnded("still-fine")).state).toBe("succeeded");
    expect(Object.fromEntries(runs(counter))).toEqual({ "still-fine": 1 });
  }, 30_000);
});

// 18 — covered one level down, by file:
//   intake, lexical: inbox-check-plan "territory %j is refused (%s)" (/etc/passwd, ../../etc, src/../../x,
//     NUL, .git/hooks, ~/x); territory "entries that escape the root or touch purple's own files are refused"
//   src vs src-evil: territory "covers" / "overlaps"; inbox-check-plan "src and src-evil do not overlap";
//     territory-audit "territory src does not cover src-evil/"; anthropic-tools "refused: \"src-evil/a.ts\""
//   a symlink pointing out: inbox-territory-fs "a symlink inside a territory's path pointing outside the root
//     is a problem", "a territory that is itself a symlink to a file outside …"
//   a symlink swapped in after the check: anthropic-tools "a symlink swapped in after the check is caught
//     before a byte is written" (the anthropic runner); territory-audit "a directory swapped for a symlink
//     pointing out of the root is put back" (command agents, after the fact)
//   writes into O/ or .git/: anthropic-tools ".git/ and purpled's folder stay denied even when the territory
//     names them"; for command agents see the todo below
//   a trespassing command agent reverted by the real daemon: engine.integration "an agent writing outside its territory …"
describe("RELIABILITY 18: territory abuse", () => {
  test("the real daemon rejects ../../etc, /etc/passwd, NUL bytes, .git/ and O/ territories, and a symlink pointing out, at intake", async () => {
    const root = scratch({ git: true });
    symlinkSync("/etc", join(root, "escape"));
    const outside = scratch();
    const counter = join(outside, "runs");
    const d = await started(root);
    const entries = ["../../etc", "/etc/passwd", "src/a\0b", ".git/hooks/", ".context-kit/orchestration/other/", "~/x"];
    const lexical: PlanInput = {
      ...counting("lexical", counter),
      agents: entries.map((t, i) => ({ id: `a${i}`, territory: [t], runner: { kind: "command", command: ["bash", "-c", `echo lexical >> ${counter}`] } })),
      waves: [{ id: "w", agents: entries.map((_, i) => `a${i}`) }],
    };
    writeFileSync(join(outside, "lexical.yaml"), YAML.stringify(lexical));
    renameSync(join(outside, "lexical.yaml"), join(inboxOf(root), "lexical.yaml"));
    await appears(join(rejectedOf(root), "lexical.yaml.error.json"));
    expect(errorsOf(root, "lexical.yaml").map((e) => e.path).sort()).toEqual(entries.map((_, i) => `agents.${i}.territory.0`));

    dropPlan(root, counting("linked", counter, "linked", { agents: [{ id: "a", territory: ["escape/passwd"], runner: { kind: "command", command: ["true"] } }] }));
    await appears(join(rejectedOf(root), "linked.yaml.error.json"));
    expect(errorsOf(root, "linked.yaml")).toEqual([{ path: "agents.0.territory.0", message: expect.stringContaining("outside the project root") }]);

    // territory src does not cover its neighbour src-evil: the write there is reverted and the agent fails
    const dir = dropPlan(root, counting("neighbours", counter, "neighbours", {
      agents: [{ id: "a", territory: ["src"], runner: { kind: "command", command: ["bash", "-c", "mkdir -p src src-evil && echo mine > src/a.txt && echo sneaky > src-evil/b.txt"] } }],
    }));
    expect((await d.planEnded("neighbours")).state).toBe("failed");
    expect(readFileSync(join(root, "src", "a.txt"), "utf8")).toBe("mine\n");
    expect(existsSync(join(root, "src-evil", "b.txt"))).toBe(false);
    expect((readJson(join(dir, "status", "a.json")) as { violations: { path: string }[] }).violations.map((v) => v.path)).toEqual(["src-evil/b.txt"]);
    expect(runs(counter).size).toBe(0);
  }, 30_000);

  // The audit cannot see .git/ or .context-kit/orchestration/ (git skips .git; O is purpled's own),
  // so command agents run in a bubblewrap sandbox with both mounted read-only: the hook and the
  // smuggled plan are never written, and the agent fails at that step. Needs bubblewrap (.ci/run
  // installs it); the anthropic runner refuses such writes at its tools (anthropic-tools).
  test.skipIf(!sandboxWorks())("a command agent writing into .git/ or O/ is caught: it fails, the writes are undone, a smuggled plan never runs", async () => {
    const root = scratch({ git: true });
    const outside = scratch();
    const counter = join(outside, "runs");
    const d = await started(root, ["--sandbox", "on"]);
    const smuggled = join(outside, "smuggled.yaml");
    writeFileSync(smuggled, YAML.stringify(counting("smuggled", counter, "smuggled", { agents: [{ id: "a", territory: ["**"], runner: { kind: "command", command: ["bash", "-c", `echo smuggled >> ${counter}`] } }] })));
    const script = `mkdir -p src && echo ok > src/a.txt && printf '#!/bin/sh\\necho owned\\n' > .git/hooks/pre-commit && cp ${smuggled} .context-kit/orchestration/inbox/smuggled.yaml`;
    const dir = dropPlan(root, counting("hooker", counter, "hooker", { agents: [{ id: "a", territory: ["src/"], runner: { kind: "command", command: ["bash", "-c", script] } }] }));
    expect((await d.planEnded("hooker")).state).toBe("failed");
    // a later drop (its agent, sandboxed, writes only inside its territory): anything smuggled in before it has been seen
    dropPlan(root, counting("later", counter, "later", { agents: [{ id: "a", territory: ["out/later/"], runner: { kind: "command", command: ["bash", "-c", "mkdir -p out/later && echo ok > out/later/x"] } }] }));
    expect((await d.planEnded("later")).state).toBe("succeeded");
    expect(existsSync(join(root, ".git", "hooks", "pre-commit"))).toBe(false);
    expect(existsSync(join(orchestrationDir(root), "smuggled"))).toBe(false);
    expect(runs(counter).get("smuggled")).toBeUndefined();
    expect((readJson(join(dir, "status", "a.json")) as { state: string }).state).toBe("failed");
    expect(readFileSync(join(dir, "agents", "a", "output.log"), "utf8")).toContain("Read-only file system");
  }, 30_000);
});

// 19 — one level down: inbox-watcher "a symlink, a FIFO and a newline in a name are rejected with a
// reason; the watcher keeps serving"; inbox-read-item "a FIFO is refused without being opened", …
describe("RELIABILITY 19: plan files that are not plain files", () => {
  test("a symlink (to a file or a folder), a FIFO and a name with a newline, dropped into the real daemon: each rejected with its reason; purpled keeps serving", async () => {
    const root = scratch();
    const outside = scratch();
    const counter = join(outside, "runs");
    const d = await started(root);
    const inbox = inboxOf(root);
    writeFileSync(join(outside, "real.yaml"), YAML.stringify(counting("via-link", counter)));
    mkdirSync(join(outside, "folder"));
    writeFileSync(join(outside, "folder", "plan.yaml"), YAML.stringify(counting("via-folder-link", counter)));
    symlinkSync(join(outside, "real.yaml"), join(inbox, "link.yaml"));
    symlinkSync(join(outside, "folder"), join(inbox, "folder-link"));
    expect(Bun.spawnSync(["mkfifo", join(inbox, "pipe.yaml")]).exitCode).toBe(0);
    writeFileSync(join(outside, "nl.yaml"), YAML.stringify(counting("newline", counter)));
    renameSync(join(outside, "nl.yaml"), join(inbox, "new\nline.yaml"));

    const reasons: [string, RegExp][] = [
      ["link.yaml", /symbolic link/],
      ["folder-link", /symbolic link|not a plan file/], // (said of the name: it has no .yaml ending; see the report)
      ["pipe.yaml", /FIFO/],
      ["new_line.yaml", /newline/],
    ];
    for (const [item, reason] of reasons) {
      await appears(join(rejectedOf(root), `${item}.error.json`));
      expect(errorsOf(root, item).map((e) => e.message).join("\n")).toMatch(reason);
      await d.waitFor((l) => l.msg.endsWith("rejected") && String(l.item).replace("\n", "_") === item, `the log line rejecting ${item}`);
    }
    expect(lstatSync(join(rejectedOf(root), "link.yaml")).isSymbolicLink()).toBe(true); // moved, not followed
    expect(readFileSync(join(outside, "real.yaml"), "utf8")).toContain("via-link");

    expect((await (await rpcOf(root)).call("daemon.status")).pid).toBe(d.proc.pid);
    dropPlan(root, counting("still-fine", counter));
    expect((await d.planEnded("still-fine")).state).toBe("succeeded");
    expect(Object.fromEntries(runs(counter))).toEqual({ "still-fine": 1 });
    expect(listDir(inbox)).toEqual(["rejected"]);
  }, 30_000);
});
