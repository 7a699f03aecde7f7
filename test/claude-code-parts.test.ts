// The claude-code runner's pure parts: reading stream-json lines (unknown kinds ignored), the
// status notes, usage-limit reset times, the territory write hook, and the key proxy.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { helperCommands } from "../daemon/runners/claude-code/args.ts";
import { parseStreamLine } from "../daemon/runners/claude-code/events.ts";
import { KeyProxy } from "../daemon/runners/claude-code/key-proxy.ts";
import { StreamStatus, toolNote, usageLimitReset } from "../daemon/runners/claude-code/status.ts";
import { refusal } from "../daemon/runners/claude-code/write-hook.ts";
import { ScriptedApi } from "./support/scripted-api.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "purple-ccp-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("stream-json lines", () => {
  test("known kinds parse; unknown kinds, junk and malformed known kinds are not events", () => {
    expect(parseStreamLine(JSON.stringify({ type: "system", subtype: "init", session_id: "s", mcp_servers: [{ name: "purple", status: "connected" }], extra: 1 }))).toMatchObject({ kind: "init", session_id: "s" });
    expect(parseStreamLine(JSON.stringify({ type: "system", subtype: "api_retry", retry_delay_ms: 2000, error_status: 429 }))).toMatchObject({ kind: "api_retry", retry_delay_ms: 2000 });
    expect(parseStreamLine(JSON.stringify({ type: "result", subtype: "success", total_cost_usd: 0.1 }))).toMatchObject({ kind: "result", is_error: false });
    expect(parseStreamLine(JSON.stringify({ type: "stream_event", event: {} }))).toBeNull();
    expect(parseStreamLine(JSON.stringify({ type: "system", subtype: "compact_boundary" }))).toBeNull();
    expect(parseStreamLine("not json")).toBeNull();
    expect(parseStreamLine("[1,2]")).toBeNull();
    expect(parseStreamLine(JSON.stringify({ type: "system", subtype: "init" }))).toBeNull(); // no session id
  });

  test("a retry is noted as waiting; the next answer ends the wait", () => {
    const notes: string[] = [];
    const status = new StreamStatus({ startTicket() {}, completeTicket() {}, status: (m) => void notes.push(m), spend: () => true }, "claude-sonnet-4-5");
    const line = (o: unknown) => status.handle(parseStreamLine(JSON.stringify(o))!);
    line({ type: "system", subtype: "api_retry", attempt: 1, max_retries: 10, retry_delay_ms: 4000, error_status: 429 });
    line({ type: "system", subtype: "api_retry", attempt: 2, retry_delay_ms: 8000, error_status: 529 });
    line({ type: "assistant", message: { id: "m1", content: [{ type: "text", text: "hi" }] } });
    line({ type: "assistant", message: { id: "m2", content: [{ type: "text", text: "again" }] } });
    expect(notes).toEqual(["waiting: rate limited, retry in 4 s (attempt 1 of 10)", "waiting: API error 529, retry in 8 s (attempt 2)", "working: the API answers again"]);
  });

  test("an MCP server still connecting is no failure; one that failed is", () => {
    const status = new StreamStatus({ startTicket() {}, completeTicket() {}, status() {}, spend: () => true }, "m");
    const init = (s: string) => status.handle(parseStreamLine(JSON.stringify({ type: "system", subtype: "init", session_id: "s", mcp_servers: [{ name: "purple", status: s }] }))!);
    expect(init("pending")).toBeNull();
    expect(init("connected")).toBeNull();
    expect(init("failed")).toMatchObject({ kind: "failed" });
  });

  test("tool notes name the tool and its file or command", () => {
    expect(toolNote("Edit", { file_path: "/r/src/a.ts", old_string: "x" })).toBe("tool: Edit /r/src/a.ts");
    expect(toolNote("Bash", { command: "npm test\n  --watch" })).toBe("tool: Bash npm test --watch");
    expect(toolNote("mcp__purple__purple_progress_start_ticket", { ticketId: "T-1" })).toBe("tool: purple_progress_start_ticket");
  });

  test("usage-limit reset times: epoch form, time-of-day form, and none", () => {
    const now = new Date(2026, 11, 3, 14, 0, 0).getTime();
    expect(usageLimitReset("Claude AI usage limit reached|1767225600", now)).toBe(1767225600_000);
    expect(new Date(usageLimitReset("5-hour limit reached ∙ resets 3pm", now)!).getHours()).toBe(15);
    const tomorrow = usageLimitReset("Your limit will reset: resets 9am", now)!;
    expect(tomorrow - now).toBe(19 * 3600_000);
    expect(usageLimitReset("API Error: 400 invalid model", now)).toBeNull();
  });
});

describe("the territory write hook", () => {
  mkdirSync(join(root, "src/a"), { recursive: true });
  mkdirSync(join(root, "elsewhere"), { recursive: true });
  symlinkSync(join(root, "elsewhere"), join(root, "src/a/link"));
  const hook = (tool_name: string, tool_input: Record<string, unknown>) => refusal({ tool_name, tool_input, cwd: root }, root, ["src/a/"]);

  test("inside the territory: allowed, absolute or relative", () => {
    expect(hook("Write", { file_path: join(root, "src/a/x.ts") })).toBeNull();
    expect(hook("Edit", { file_path: "src/a/y.ts" })).toBeNull();
    expect(hook("Read", { file_path: "/etc/passwd" })).toBeNull(); // not a write tool
  });

  test("outside: refused with a message that names the territory", () => {
    expect(hook("Write", { file_path: join(root, "src/b/x.ts") })).toMatch(/src\/b\/x.ts is outside your territory.*src\/a\//);
    expect(hook("MultiEdit", { file_path: "/etc/passwd" })).toMatch(/outside the project root/);
    expect(hook("NotebookEdit", { notebook_path: join(root, ".git/config") })).toMatch(/inside \.git\//);
    expect(hook("Write", { file_path: join(root, ".context-kit/orchestration/inbox/x.yaml") })).toMatch(/only purpled writes/);
    expect(hook("Write", { file_path: join(root, "src/a/link/x.ts") })).toMatch(/through a symbolic link/);
    expect(hook("Write", {})).toMatch(/names no file path/);
  });

  test("the hook as Claude Code runs it (from source, and as `purpled --claude-write-hook`): exit 2 and the reason on stderr", () => {
    const viaDaemon = (file: string) =>
      Bun.spawnSync([process.execPath, join(import.meta.dir, "../daemon/main.ts"), "--claude-write-hook"], {
        stdin: new Blob([JSON.stringify({ tool_name: "Edit", tool_input: { file_path: file }, cwd: root })]),
        env: { PATH: process.env.PATH!, PURPLE_ROOT: root, PURPLE_TERRITORY: JSON.stringify(["src/a/"]) },
      });
    expect(viaDaemon(join(root, "src/b/x.ts")).exitCode).toBe(2);
    expect(viaDaemon(join(root, "src/a/x.ts")).exitCode).toBe(0);
    const run = (file: string) =>
      Bun.spawnSync([process.execPath, join(import.meta.dir, "../daemon/runners/claude-code/write-hook.ts")], {
        stdin: new Blob([JSON.stringify({ tool_name: "Write", tool_input: { file_path: file }, cwd: root })]),
        env: { PATH: process.env.PATH!, PURPLE_ROOT: root, PURPLE_TERRITORY: JSON.stringify(["src/a/"]) },
      });
    const no = run(join(root, "src/b/x.ts"));
    expect(no.exitCode).toBe(2);
    expect(no.stderr.toString()).toMatch(/outside your territory/);
    expect(run(join(root, "src/a/x.ts")).exitCode).toBe(0);
  });
});

test("helpers run from the checkout with bun, or from the compiled purpled and the purplectl beside it", () => {
  const src = helperCommands("/usr/bin/bun", "/repo/daemon/runners/claude-code");
  expect(src).toEqual({ hook: ["/usr/bin/bun", "/repo/daemon/runners/claude-code/write-hook.ts"], ctl: ["/usr/bin/bun", "/repo/ctl/main.ts"] });
  const compiled = helperCommands("/opt/purple/purpled", "/$bunfs/root");
  expect(compiled.hook).toEqual(["/opt/purple/purpled", "--claude-write-hook"]);
  expect(compiled.ctl).toEqual(["purplectl"]); // none beside it: the one on PATH
});

describe("the key proxy", () => {
  test("forwards with the real key only for a live token; the key never goes back", async () => {
    const KEY = "sk-ant-CANARY-proxy-0b5e";
    const api = ScriptedApi.start({ expectKey: KEY, scripts: { p1: [{ reply: { content: [{ type: "text", text: "hi" }] } }] } });
    const proxy = new KeyProxy(KEY, api.url);
    try {
      const token = proxy.issue();
      const send = (key: string) =>
        fetch(`${proxy.url}/v1/messages?beta=true`, {
          method: "POST",
          headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
          body: JSON.stringify({ model: "m", max_tokens: 10, stream: true, messages: [{ role: "user", content: "Agent: p1" }] }),
        });
      const ok = await send(token);
      expect(ok.status).toBe(200);
      const text = await ok.text();
      expect(text).toContain("message_stop");
      expect(text).not.toContain(KEY);
      expect(api.requests[0]!.apiKeyHeader).toBe(KEY);
      expect((await send("purple-agent-guess")).status).toBe(401);
      proxy.revoke(token);
      expect((await send(token)).status).toBe(401);
      expect(api.requests).toHaveLength(1);
    } finally {
      proxy.close();
      await api.stop();
    }
  });
});
