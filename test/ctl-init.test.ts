// `purplectl init`: O/purple.yaml with the defaults this machine suggests (the runner that can run
// here, the model, maxAgents), read back by the daemon's own config loader; O/.gitignore rules that
// keep purple's run files out of git and the plan itself in; a second run changes nothing.
import { expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../inbox/config.ts";
import { ctl } from "./ctl-fake-daemon.ts";

const project = () => realpathSync(mkdtempSync(join(tmpdir(), "purple-init-")));
const O = (root: string) => join(root, ".context-kit", "orchestration");
const NO_KEY = { ANTHROPIC_API_KEY: undefined, ANTHROPIC_AUTH_TOKEN: undefined };

test("with Claude Code on PATH: the claude-code runner (as purpled prefers it), one agent per core at most 6", async () => {
  const root = project();
  const bin = join(root, "fake-bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "claude"), "#!/bin/sh\n");
  chmodSync(join(bin, "claude"), 0o755);
  const r = await ctl(["init"], { cwd: root, env: { ...NO_KEY, PATH: `${bin}:/usr/bin:/bin` } });
  expect(r).toMatchObject({ code: 0, err: "" });
  expect(r.out).toContain(`wrote ${join(O(root), "purple.yaml")}:`);
  expect(r.out).toContain(`runner claude-code: Claude Code is at ${join(bin, "claude")}`);
  const config = loadConfig(O(root));
  expect(config.defaults).toMatchObject({ runner: "claude-code", model: "claude-sonnet-5-5" });
  expect(config.defaults.maxAgents).toBeGreaterThanOrEqual(1);
  expect(config.defaults.maxAgents).toBeLessThanOrEqual(6);
});

test("without Claude Code: the anthropic runner, with a note when the key is missing", async () => {
  const keyed = project();
  expect((await ctl(["init"], { cwd: keyed, env: { ANTHROPIC_API_KEY: "sk-test-not-real", PATH: "/usr/bin:/bin" } })).out).toContain("runner anthropic: Claude Code (`claude`) was not found; purple's own tool-use loop (ANTHROPIC_API_KEY is set)");
  expect(loadConfig(O(keyed)).defaults.runner).toBe("anthropic");
  const bare = project();
  const r = await ctl(["--root", bare, "init"], { env: { ...NO_KEY, PATH: "/usr/bin:/bin" } });
  expect(r.out).toContain("ANTHROPIC_API_KEY is not set here: purpled needs it in its environment before plans run");
  expect(loadConfig(O(bare)).defaults.runner).toBe("anthropic");
});

test("the ignore rules keep run files out of git and the plan in; a second init leaves purple.yaml as it is", async () => {
  const root = project();
  const git = (...args: string[]) => Bun.spawnSync(["git", ...args], { cwd: root });
  git("init", "-q");
  writeFileSync(join(root, "keep"), "");
  expect((await ctl(["init"], { cwd: root, env: NO_KEY })).code).toBe(0);
  const ignored = (path: string) => git("check-ignore", "-q", join(".context-kit", "orchestration", path)).exitCode === 0;
  for (const p of ["p/status.json", "p/status/a.json", "p/events.jsonl", "p/status-log.md", "p/agents/a/output.log", "p/validation/w.json", "p/runs/1/status.json", ".purple/daemon.json", "inbox/x.yaml"]) expect(ignored(p)).toBe(true);
  for (const p of ["p/plan.yaml", "p/orchestration-plan.md", "p/plan.compiled.yaml", "purple.yaml"]) expect(ignored(p)).toBe(false);

  writeFileSync(join(O(root), "purple.yaml"), "defaults:\n  runner: command\n");
  const again = await ctl(["init"], { cwd: root, env: NO_KEY });
  expect(again.code).toBe(0);
  expect(again.out).toContain("purple.yaml exists: left as it is");
  expect(again.out).toContain("already ignores purple's run files");
  expect(readFileSync(join(O(root), "purple.yaml"), "utf8")).toBe("defaults:\n  runner: command\n");
});
