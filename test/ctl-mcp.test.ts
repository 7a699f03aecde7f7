// purplectl mcp: an MCP server on stdio (JSON-RPC 2.0, one message per line) whose purple_*
// tools forward to the daemon with the plan from $PURPLE_PLAN or --plan.
import { afterEach, expect, test } from "bun:test";
import { BUN, cleanEnv, CTL, FakeDaemon, FakeRpcError, fakeProject, LineWaiter } from "./ctl-fake-daemon.ts";

const fakes: FakeDaemon[] = [];
afterEach(() => fakes.splice(0).forEach((f) => f.stop()));

/** Spawn `purplectl mcp`, send requests one line each, and read the answers by id. */
function mcpSession(args: string[], env: Record<string, string | undefined>) {
  const proc = Bun.spawn([BUN, CTL, ...args, "mcp"], { env: cleanEnv(env), stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const out = new LineWaiter(proc.stdout);
  const send = (msg: object) => {
    proc.stdin.write(`${JSON.stringify(msg)}\n`);
    proc.stdin.flush();
  };
  const request = async (id: number, method: string, params?: object) => {
    send({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });
    await out.waitFor(`"id":${id},`);
    return out.text.split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.id === id);
  };
  return { proc, send, request, out };
}

test("initialize, tools/list with the five tools (no plan field), tools/call forwarded with the plan", async () => {
  const { socket } = fakeProject();
  const d = await FakeDaemon.start(socket, {
    purple_progress_start_ticket: () => ({}),
    purple_set_phase: () => { throw new FakeRpcError("PLAN_NOT_FOUND", "no plan alpha"); },
  });
  fakes.push(d);
  const s = mcpSession(["--socket", socket], { PURPLE_PLAN: "alpha", PURPLE_AGENT: "agent-a" });

  const init = await s.request(1, "initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "0" } });
  expect(init.result.protocolVersion).toBe("2025-06-18");
  expect(init.result.capabilities.tools).toBeDefined();
  expect(init.result.serverInfo.name).toBe("purple");
  s.send({ jsonrpc: "2.0", method: "notifications/initialized" });

  const list = await s.request(2, "tools/list");
  const tools = list.result.tools as { name: string; inputSchema: { type: string; properties: Record<string, unknown>; required?: string[] } }[];
  expect(tools.map((t) => t.name).sort()).toEqual(["purple_progress_complete_ticket", "purple_progress_start_ticket", "purple_report_progress", "purple_set_phase", "purple_update_status"]);
  for (const t of tools) {
    expect(t.inputSchema.type).toBe("object");
    expect(t.inputSchema.properties.plan).toBeUndefined();
    expect(t.inputSchema.required ?? []).not.toContain("plan");
  }
  expect(tools.find((t) => t.name === "purple_progress_start_ticket")!.inputSchema.required).toEqual(["ticketId"]);

  const call = await s.request(3, "tools/call", { name: "purple_progress_start_ticket", arguments: { ticketId: "T-1" } });
  expect(call.result).toEqual({ content: [{ type: "text", text: "{}" }] });
  expect(d.requests.at(-1)).toEqual({ method: "purple_progress_start_ticket", params: { ticketId: "T-1", plan: "alpha", agent: "agent-a" } });

  const failed = await s.request(4, "tools/call", { name: "purple_set_phase", arguments: { phase: "w2" } });
  expect(failed.result.isError).toBe(true);
  expect(failed.result.content[0].text).toBe("no plan alpha (PLAN_NOT_FOUND)");
  expect(d.requests.at(-1)!.params).toEqual({ phase: "w2", plan: "alpha" });

  const unknown = await s.request(5, "tools/call", { name: "rm_rf", arguments: {} });
  expect(unknown.error.code).toBe(-32602);
  expect((await s.request(6, "resources/list")).error.code).toBe(-32601);

  s.proc.stdin.end();
  expect(await s.proc.exited).toBe(0);
  // only protocol on stdout: every line is a JSON-RPC answer
  for (const line of s.out.text.split("\n").filter(Boolean)) expect(JSON.parse(line).jsonrpc).toBe("2.0");
});

test("--plan wins over the environment; with no plan at all, plan stays a required argument; no daemon is an isError result", async () => {
  const { socket } = fakeProject();
  const d = await FakeDaemon.start(socket, { purple_set_phase: () => ({}) });
  fakes.push(d);
  const s = mcpSession(["--socket", socket, "--plan", "beta"], { PURPLE_PLAN: "alpha" });
  await s.request(1, "tools/call", { name: "purple_set_phase", arguments: { phase: "w1" } });
  expect(d.requests.at(-1)!.params).toEqual({ phase: "w1", plan: "beta" });
  s.proc.stdin.end();
  await s.proc.exited;

  const open = mcpSession(["--socket", `${socket}.none`], {});
  const list = await open.request(1, "tools/list");
  expect(list.result.tools[0].inputSchema.required).toContain("plan");
  const call = await open.request(2, "tools/call", { name: "purple_set_phase", arguments: { plan: "x", phase: "w1" } });
  expect(call.result.isError).toBe(true);
  expect(call.result.content[0].text).toContain("no daemon answers");
  open.proc.stdin.end();
  expect(await open.proc.exited).toBe(0);
});
