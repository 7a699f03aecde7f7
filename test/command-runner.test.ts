// The command runner: environment, prompt delivery, output log, outcomes, and clean stops.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan, type PlanInput } from "../protocol/index.ts";
import { CommandRunner } from "../daemon/runners/command.ts";
import type { RunContext } from "../daemon/runners/runner.ts";
import { groupAlive } from "../daemon/process/group.ts";

const root = mkdtempSync(join(tmpdir(), "purple-cmd-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A run context for one command agent in a fresh agent directory. */
function context(command: string[] | null, over: Partial<RunContext> = {}): RunContext {
  const id = `a${++counter}`;
  const input: PlanInput = {
    apiVersion: "purple/v1",
    name: "demo-plan",
    defaults: { runner: "command" },
    agents: [{ id, territory: ["src/", "docs/*.md"], ...(command ? { runner: { kind: "command", command } } : {}) }],
    waves: [{ id: "wave-1", agents: [id] }],
  };
  const plan = Plan.parse(input);
  const planDir = join(root, ".context-kit/orchestration/demo-plan");
  const agentDir = join(planDir, "agents", id);
  mkdirSync(agentDir, { recursive: true });
  return {
    plan,
    agent: plan.agents[0]!,
    wave: "wave-1",
    attempt: 1,
    root,
    planDir,
    reporter: { startTicket() {}, completeTicket() {}, status() {}, spend: () => true },
    agentDir,
    prompt: `You are ${id}.\nDo the work.\n`,
    statusFile: join(planDir, "status", `${id}.json`),
    socket: "/tmp/purple-test.sock",
    timeoutMs: 30_000,
    graceMs: 500,
    ...over,
  };
}

const output = (ctx: RunContext) => readFileSync(join(ctx.agentDir, "output.log"), "utf8");

describe("CommandRunner", () => {
  test("the environment carries the PURPLE_* variables and no API key", async () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    process.env.ANTHROPIC_API_KEY = "sk-ant-CANARY-x";
    process.env.PURPLE_TEST_OTHER = "must-not-leak";
    try {
      const ctx = context(["env"], { attempt: 2 });
      const run = new CommandRunner().start(ctx);
      const result = await run.done;
      expect(result.outcome).toBe("finished");
      const vars = new Map(output(ctx).split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
      expect(vars.get("PURPLE_PLAN")).toBe("demo-plan");
      expect(vars.get("PURPLE_AGENT")).toBe(ctx.agent.id);
      expect(vars.get("PURPLE_WAVE")).toBe("wave-1");
      expect(JSON.parse(vars.get("PURPLE_TERRITORY")!)).toEqual(["src/", "docs/*.md"]);
      expect(vars.get("PURPLE_SOCKET")).toBe(ctx.socket);
      expect(vars.get("PURPLE_STATUS_FILE")).toBe(ctx.statusFile);
      expect(vars.get("PURPLE_PROMPT_FILE")).toBe(join(ctx.agentDir, "prompt.md"));
      expect(vars.get("PURPLE_ROOT")).toBe(root);
      expect(vars.get("PURPLE_ATTEMPT")).toBe("2");
      expect(vars.get("PATH")).toBe(process.env.PATH!);
      expect(vars.has("ANTHROPIC_API_KEY")).toBe(false);
      expect(vars.has("PURPLE_TEST_OTHER")).toBe(false);
      expect(output(ctx)).not.toContain("sk-ant-CANARY");
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
      delete process.env.PURPLE_TEST_OTHER;
    }
  });

  test("the prompt on stdin equals the prompt file; output and attempt headers go to output.log", async () => {
    const ctx = context(["bash", "-c", 'cat > "$PURPLE_ROOT/stdin-copy.txt"; cmp "$PURPLE_ROOT/stdin-copy.txt" "$PURPLE_PROMPT_FILE" && echo SAME; echo to-stderr >&2; pwd']);
    const first = await new CommandRunner().start(ctx).done;
    expect(first).toMatchObject({ outcome: "finished", exitCode: 0 });
    expect(readFileSync(join(ctx.agentDir, "prompt.md"), "utf8")).toBe(ctx.prompt);
    expect(readFileSync(join(root, "stdin-copy.txt"), "utf8")).toBe(ctx.prompt);
    const log = output(ctx);
    expect(log).toContain("SAME\n");
    expect(log).toContain("to-stderr\n");
    expect(log).toContain(`${root}\n`); // cwd is the project root
    expect(log).toMatch(/^--- attempt 1 started \d{4}-\d\d-\d\dT/);

    await new CommandRunner().start({ ...ctx, attempt: 2 }).done;
    const again = output(ctx);
    expect(again.startsWith(log)).toBe(true); // appended, not replaced
    expect(again).toMatch(/--- attempt 2 started /);
  });

  test("a non-zero exit is failed with the code", async () => {
    const ctx = context(["bash", "-c", "echo failing; exit 3"]);
    const result = await new CommandRunner().start(ctx).done;
    expect(result).toMatchObject({ outcome: "failed", exitCode: 3, signal: null });
    expect(result.message).toContain("3");
  });

  test("a timeout stops the whole tree, even one ignoring SIGTERM", async () => {
    const pids = join(root, "timeout.pids");
    const ctx = context(["bash", "-c", `trap '' TERM; sleep 300 & echo $! > "${pids}"; wait; wait`], { timeoutMs: 300, graceMs: 200 });
    const run = new CommandRunner() /* no sandbox in ctx: the process tree itself is the group */.start(ctx);
    expect(run.pgid).toBeGreaterThan(1);
    const result = await run.done;
    expect(result.outcome).toBe("timeout");
    expect(result.signal).toBe("SIGKILL");
    expect(groupAlive(run.pgid!)).toBe(false);
    expect(existsSync(pids)).toBe(true);
  });

  test("cancel stops it with outcome cancelled", async () => {
    const ctx = context(["sleep", "300"]);
    const run = new CommandRunner().start(ctx);
    run.cancel("the user asked");
    run.cancel("twice is harmless");
    const result = await run.done;
    expect(result.outcome).toBe("cancelled");
    expect(result.message).toContain("the user asked");
    expect(groupAlive(run.pgid!)).toBe(false);
    run.cancel("after the end is harmless too");
  });

  test("an agent without a command fails with a reason", async () => {
    const run = new CommandRunner().start(context(null));
    expect(run.pgid).toBeNull();
    const result = await run.done;
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("no command");
  });

  test("a command that does not exist fails, and done does not reject", async () => {
    const ctx = context(["purple-no-such-agent-binary"]);
    const result = await new CommandRunner().start(ctx).done;
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("purple-no-such-agent-binary");
    expect(output(ctx)).toContain("could not start");
  });

  test("an agent directory that cannot be written fails, and done does not reject", async () => {
    writeFileSync(join(root, "a-file"), "");
    const ctx = context(["true"], { agentDir: join(root, "a-file", "dir") }); // under a file: mkdir fails
    const result = await new CommandRunner().start(ctx).done;
    expect(result.outcome).toBe("failed");
  });
});
