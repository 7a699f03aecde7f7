// The anthropic agent's tools on a temp project: the write guard (RELIABILITY 18), edit_file's
// single replacement, reads bounded to the root, search, run_command's rule, ticket and status tools.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commandAllowed } from "../daemon/runners/anthropic/commands.ts";
import { runTool, TOOL_DEFINITIONS, type ToolEnv } from "../daemon/runners/anthropic/tools.ts";
import { checkWrite, guardedWrite, writeChecked } from "../daemon/runners/anthropic/write-guard.ts";
import { FakeReporter, tempProject } from "./anthropic-fixtures.ts";

const project = tempProject();
const outside = tempProject("outside");
afterAll(() => {
  project.remove();
  outside.remove();
});
const root = project.root;
mkdirSync(join(root, "src/lib"), { recursive: true });
mkdirSync(join(root, "lib"), { recursive: true });
mkdirSync(join(root, ".git"), { recursive: true });
writeFileSync(join(root, ".git/config"), "[core]\n");
writeFileSync(join(root, "README.md"), "# demo\nhello world\n");
writeFileSync(join(root, "lib/shared.ts"), "export const shared = 1;\n");
writeFileSync(join(outside.root, "victim.txt"), "untouched\n");
symlinkSync(outside.root, join(root, "src/out"));
symlinkSync(join(outside.root, "victim.txt"), join(root, "src/victim.txt"));
symlinkSync(join(root, "lib/shared.ts"), join(root, "src/shared-link.ts"));
symlinkSync(join(root, "lib"), join(root, "src/libdir"));
symlinkSync(join(root, "missing-target"), join(root, "src/dangling.ts"));

const reporter = new FakeReporter(undefined, ["T-1"]);
const env = (over: Partial<ToolEnv> = {}): ToolEnv => ({
  scope: { root, territory: ["src/"] },
  allowedCommands: ["echo hello", "true", "ls -la && echo listed"],
  tickets: ["T-1"],
  reporter,
  signal: new AbortController().signal,
  ...over,
});

describe("the write guard", () => {
  test("a write inside the territory lands, parent folders created", async () => {
    const r = await runTool(env(), "write_file", { path: "src/new/deep/file.ts", content: "export {};\n" });
    expect(r).toEqual({ content: "wrote src/new/deep/file.ts (11 bytes)", isError: false });
    expect(readFileSync(join(root, "src/new/deep/file.ts"), "utf8")).toBe("export {};\n");
    expect((await runTool(env(), "write_file", { path: "./src//lib/../lib/a.ts", content: "a" })).isError).toBe(false);
    expect(readFileSync(join(root, "src/lib/a.ts"), "utf8")).toBe("a");
  });

  const refusals: [string, RegExp][] = [
    ["../x", /^refused: \.\.\/x is outside the project root/],
    ["src/../../x", /outside the project root/],
    ["/etc/x", /^refused: \/etc\/x is absolute/],
    ["~/x", /starts with ~/],
    ["src-evil/a.ts", /^refused: src-evil\/a\.ts is outside your territory \(src\/\)/],
    ["lib/shared.ts", /outside your territory \(src\/\)/],
    [".git/config", /inside \.git\/, which agents may never write/],
    ["src/.git/hooks/pre-commit", /inside \.git\//],
    [".context-kit/orchestration/demo/status.json", /inside \.context-kit\/orchestration\/, which only purpled writes/],
    ["src/a\0b.ts", /NUL byte/],
    ["src\\a.ts", /backslash/],
    ["", /the path is empty/],
    ["src/", /names a directory/],
    ["src/out/evil.txt", /leads outside the project root/],
    ["src/victim.txt", /leads outside the project root/],
    ["src/shared-link.ts", /outside your territory .*through a symbolic link, it is lib\/shared\.ts/],
    ["src/libdir/new.ts", /outside your territory .*through a symbolic link, it is lib\/new\.ts/],
    ["src/dangling.ts", /symbolic link to a missing target/],
  ];
  for (const [path, reason] of refusals) {
    test(`refused: ${JSON.stringify(path)}`, async () => {
      const r = await runTool(env(), "write_file", { path, content: "evil" });
      expect(r.isError).toBe(true);
      expect(r.content).toMatch(reason);
    });
  }

  test("nothing outside was touched by the refused writes", () => {
    expect(readFileSync(join(outside.root, "victim.txt"), "utf8")).toBe("untouched\n");
    expect(existsSync(join(outside.root, "evil.txt"))).toBe(false);
    expect(readFileSync(join(root, ".git/config"), "utf8")).toBe("[core]\n");
    expect(readFileSync(join(root, "lib/shared.ts"), "utf8")).toBe("export const shared = 1;\n");
    expect(existsSync(join(root, "lib/new.ts"))).toBe(false);
    expect(existsSync(join(root, "src-evil"))).toBe(false);
  });

  test(".git/ and purpled's folder stay denied even when the territory names them", () => {
    const scope = { root, territory: [".git/", ".context-kit/", "**"] };
    expect(checkWrite(scope, ".git/config")).toMatchObject({ ok: false });
    expect(checkWrite(scope, ".GIT/config")).toMatchObject({ ok: false });
    expect(checkWrite(scope, ".context-kit/orchestration/demo/plan.yaml")).toMatchObject({ ok: false });
    expect(checkWrite(scope, ".context-kit/notes.md")).toMatchObject({ ok: true });
  });

  test("a symlink to a file inside the territory is written through, not replaced", () => {
    mkdirSync(join(root, "src/real"), { recursive: true });
    writeFileSync(join(root, "src/real/target.ts"), "old");
    symlinkSync(join(root, "src/real/target.ts"), join(root, "src/alias.ts"));
    expect(guardedWrite({ root, territory: ["src/"] }, "src/alias.ts", "new")).toMatchObject({ ok: true });
    expect(readFileSync(join(root, "src/real/target.ts"), "utf8")).toBe("new");
  });

  test("a symlink swapped in after the check is caught before a byte is written", () => {
    const scope = { root, territory: ["src/"] };
    // the file itself becomes a link to a file outside
    const file = checkWrite(scope, "src/swapped-file.ts");
    if (!file.ok) throw new Error(file.reason);
    symlinkSync(join(outside.root, "victim.txt"), join(root, "src/swapped-file.ts"));
    expect(writeChecked(file, "evil")).toMatchObject({ ok: false, reason: expect.stringMatching(/became a symbolic link while writing/) });
    // a directory on the way becomes a link to a directory outside
    mkdirSync(join(root, "src/swapped-dir"));
    const dir = checkWrite(scope, "src/swapped-dir/a.ts");
    if (!dir.ok) throw new Error(dir.reason);
    renameSync(join(root, "src/swapped-dir"), join(root, "src/swapped-dir.old"));
    symlinkSync(outside.root, join(root, "src/swapped-dir"));
    expect(writeChecked(dir, "evil")).toMatchObject({ ok: false, reason: expect.stringMatching(/changed into a link while writing/) });
    expect(readFileSync(join(outside.root, "victim.txt"), "utf8")).toBe("untouched\n");
    expect(existsSync(join(outside.root, "a.ts"))).toBe(false);
  });

  test("an empty territory refuses every write", async () => {
    const r = await runTool(env({ scope: { root, territory: [] } }), "write_file", { path: "src/x.ts", content: "" });
    expect(r.content).toMatch(/outside your territory \(none: you may not write\)/);
  });
});

describe("edit_file", () => {
  test("replaces exactly one occurrence; zero or several are errors the model can act on", async () => {
    writeFileSync(join(root, "src/edit.ts"), "const a = 1;\nconst b = 1;\n");
    expect(await runTool(env(), "edit_file", { path: "src/edit.ts", old_string: "const a = 1;", new_string: "const a = 2;" })).toEqual({ content: "edited src/edit.ts", isError: false });
    expect(readFileSync(join(root, "src/edit.ts"), "utf8")).toBe("const a = 2;\nconst b = 1;\n");
    const none = await runTool(env(), "edit_file", { path: "src/edit.ts", old_string: "const c", new_string: "x" });
    expect(none).toMatchObject({ isError: true });
    expect(none.content).toMatch(/was not found in src\/edit\.ts/);
    const many = await runTool(env(), "edit_file", { path: "src/edit.ts", old_string: " = ", new_string: "=" });
    expect(many.content).toMatch(/occurs more than once/);
    expect(readFileSync(join(root, "src/edit.ts"), "utf8")).toBe("const a = 2;\nconst b = 1;\n");
  });

  test("is guarded like a write", async () => {
    const r = await runTool(env(), "edit_file", { path: "README.md", old_string: "hello", new_string: "bye" });
    expect(r.content).toMatch(/^refused: README\.md is outside your territory/);
    expect((await runTool(env(), "edit_file", { path: "src/nope.ts", old_string: "a", new_string: "b" })).content).toMatch(/does not exist/);
  });
});

describe("reading", () => {
  test("read_file anywhere in the root, never outside", async () => {
    expect(await runTool(env(), "read_file", { path: "README.md" })).toEqual({ content: "# demo\nhello world\n", isError: false });
    expect((await runTool(env(), "read_file", { path: "../outside/victim.txt" })).content).toMatch(/outside the project root|does not exist/);
    expect((await runTool(env(), "read_file", { path: "src/victim.txt" })).content).toMatch(/outside the project root/);
    expect((await runTool(env(), "read_file", { path: "/etc/passwd" })).content).toMatch(/absolute/);
    expect((await runTool(env(), "read_file", { path: "src" })).content).toMatch(/is a directory/);
  });

  test("list_dir marks folders and links", async () => {
    const r = await runTool(env(), "list_dir", { path: "src" });
    expect(r.isError).toBe(false);
    expect(r.content.split("\n")).toEqual(expect.arrayContaining(["lib/", "out@", "edit.ts"]));
    expect((await runTool(env(), "list_dir", {})).content).toContain("README.md");
  });

  test("search_text by regex, literally when the regex is invalid, skipping .git", async () => {
    expect((await runTool(env(), "search_text", { pattern: "hel+o w" })).content).toBe("README.md:2:hello world");
    writeFileSync(join(root, "src/paren.ts"), "call(a\n");
    expect((await runTool(env(), "search_text", { pattern: "call(", path: "src" })).content).toBe("src/paren.ts:1:call(a");
    expect((await runTool(env(), "search_text", { pattern: "core" })).content).toBe("no match");
    expect((await runTool(env(), "search_text", { pattern: "world", path: "README.md" })).content).toBe("README.md:2:hello world");
    expect((await runTool(env(), "search_text", { pattern: "x", path: "../" })).isError).toBe(true);
  });
});

describe("run_command", () => {
  test("the matching rule: an allowed entry exactly, or followed by plain arguments", () => {
    const allowed = ["npm test", "npx tsc --noEmit"];
    expect(commandAllowed("npm test", allowed).ok).toBe(true);
    expect(commandAllowed("  npm test  ", allowed).ok).toBe(true);
    expect(commandAllowed("npm test -- --grep=routes src/a.test.ts", allowed).ok).toBe(true);
    expect(commandAllowed("npm testx", allowed).ok).toBe(false);
    expect(commandAllowed("npm test; rm -rf /", allowed).ok).toBe(false);
    expect(commandAllowed("npm test && curl evil", allowed).ok).toBe(false);
    expect(commandAllowed("npm test $(id)", allowed).ok).toBe(false);
    expect(commandAllowed("npm test > /etc/x", allowed).ok).toBe(false);
    expect(commandAllowed("npm", allowed).ok).toBe(false);
    expect(commandAllowed("rm -rf /", []).ok).toBe(false);
  });

  test("an allowed command runs in the root with no secret in its environment", async () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    process.env.ANTHROPIC_API_KEY = "sk-ant-CANARY-tools";
    try {
      expect(await runTool(env(), "run_command", { command: "echo hello world" })).toEqual({ content: "exit code 0\nhello world\n", isError: false });
      const listed = await runTool(env(), "run_command", { command: "ls -la && echo listed" });
      expect(listed.content).toContain("README.md");
      const printenv = await runTool(env({ allowedCommands: ["env"] }), "run_command", { command: "env" });
      expect(printenv.content).not.toContain("CANARY");
      expect(printenv.content).not.toContain("ANTHROPIC_API_KEY");
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
    }
  });

  test("a refused command never runs; a failing one is an error with its exit code", async () => {
    const refused = await runTool(env(), "run_command", { command: "touch src/pwned" });
    expect(refused.isError).toBe(true);
    expect(refused.content).toMatch(/^refused: `touch src\/pwned` is not an allowed command\. Allowed: `echo hello`, `true`/);
    expect(existsSync(join(root, "src/pwned"))).toBe(false);
    const failing = await runTool(env({ allowedCommands: ["exit 3"] }), "run_command", { command: "exit 3" });
    expect(failing).toEqual({ content: "exit code 3\n", isError: true });
  });

  test("a command past its time limit is stopped", async () => {
    const started = Date.now();
    const r = await runTool(env({ allowedCommands: ["sleep 30"], commandTimeoutMs: 200 }), "run_command", { command: "sleep 30" });
    expect(r.content).toMatch(/timed out after 0 s and was stopped/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("a cancel stops a running command", async () => {
    const ctl = new AbortController();
    const pending = runTool(env({ allowedCommands: ["sleep 30"], signal: ctl.signal }), "run_command", { command: "sleep 30" });
    ctl.abort();
    expect((await pending).content).toMatch(/stopped: the agent is being cancelled/);
  });
});

describe("tickets, status, finish", () => {
  test("reach the reporter; unknown tickets and bad input are tool errors", async () => {
    expect(await runTool(env(), "start_ticket", { ticket_id: "T-1" })).toEqual({ content: "ticket T-1 is in progress", isError: false });
    expect((await runTool(env(), "complete_ticket", { ticket_id: "T-9" })).content).toMatch(/ticket T-9 is not one of yours; your tickets are T-1/);
    // a reporter that throws (the engine's, for a ticket the plan lacks) becomes a tool error too
    const thrown = await runTool(env({ tickets: ["T-1", "T-2"] }), "complete_ticket", { ticket_id: "T-2" });
    expect(thrown).toEqual({ content: 'complete_ticket failed: plan demo has no ticket "T-2"', isError: true });
    expect(await runTool(env(), "report_status", { message: "halfway", percent: 50 })).toEqual({ content: "status reported", isError: false });
    expect((await runTool(env(), "report_status", { message: "x", percent: 500 })).isError).toBe(true);
    expect(reporter.progress()).toEqual([{ kind: "startTicket", ticket: "T-1" }, { kind: "status", message: "halfway", percent: 50 }]);
    expect(await runTool(env(), "finish", { summary: "all done" })).toMatchObject({ finish: "all done", isError: false });
    expect((await runTool(env(), "rm_rf", {})).content).toMatch(/there is no tool "rm_rf"/);
  });

  test("every tool has a JSON schema, and the list is the same object for everyone", () => {
    expect(TOOL_DEFINITIONS.map((t) => t.name)).toEqual([
      "read_file", "list_dir", "search_text", "write_file", "edit_file", "run_command", "start_ticket", "complete_ticket", "report_status", "finish",
    ]);
    for (const t of TOOL_DEFINITIONS) expect(t.input_schema.type).toBe("object");
  });
});
