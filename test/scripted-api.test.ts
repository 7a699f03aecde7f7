// The scripted Messages-API server, exercised with the real @anthropic-ai/sdk client on 127.0.0.1.
import { afterEach, describe, expect, test } from "bun:test";
import Anthropic, { APIError, APIUserAbortError, AuthenticationError, BadRequestError, RateLimitError } from "@anthropic-ai/sdk";
import { ScriptedApi, type ScriptedApiOptions } from "./support/scripted-api.ts";

const KEY = "sk-ant-test-1";
const MODEL = "claude-sonnet-4-6";
const servers: ScriptedApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A server that afterEach stops. */
function serve(opts: ScriptedApiOptions): ScriptedApi {
  const api = ScriptedApi.start(opts);
  servers.push(api);
  return api;
}

/** The real SDK pointed at the server. */
function client(api: ScriptedApi, maxRetries = 0): Anthropic {
  return new Anthropic({ apiKey: KEY, baseURL: api.url, maxRetries });
}

/** A minimal request whose first user message names the agent. */
function ask(agent: string, extra: Record<string, unknown> = {}) {
  return { model: MODEL, max_tokens: 1024, messages: [{ role: "user" as const, content: `Agent: ${agent}\nDo the work.` }], ...extra };
}

/** Read a whole SSE body into its events. */
async function sseEvents(res: Response): Promise<{ event: string; data: any }[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      const [ev, data] = frame.split("\n");
      return { event: ev!.replace(/^event: /, ""), data: JSON.parse(data!.replace(/^data: /, "")) };
    });
}

describe("replies", () => {
  test("a streamed reply with text and tool_use arrives whole through stream.finalMessage()", async () => {
    const input = { path: "src/a.ts", lines: [1, 2, 3], note: "naïve ✓" };
    const api = serve({ scripts: { a1: [{ reply: { content: [{ type: "text", text: "Reading the file first." }, { type: "tool_use", name: "read_file", input }] } }] } });
    const msg = await client(api).messages.stream(ask("a1")).finalMessage();
    expect(msg.content).toHaveLength(2);
    expect(msg.content[0]).toMatchObject({ type: "text", text: "Reading the file first." });
    expect(msg.content[1]).toMatchObject({ type: "tool_use", name: "read_file", input, id: "toolu_1" });
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.model).toBe(MODEL);
    expect(msg.usage.input_tokens).toBe(Math.ceil(api.requests[0]!.raw.length / 4));
    expect(msg.usage.output_tokens).toBeGreaterThan(1);
    expect(msg.usage.cache_read_input_tokens).toBe(0);
    expect(msg.usage.cache_creation_input_tokens).toBe(0);
    expect(api.requests[0]).toMatchObject({ agent: "a1", stream: true, answeredWith: "reply", authorization: `Bearer ${KEY}` });
  });

  test("the SSE stream has the real API's events in order, deltas chunked", async () => {
    const api = serve({ scripts: { a1: [{ reply: { content: [{ type: "text", text: "hello there, world" }, { type: "tool_use", name: "t", input: { x: 1 }, id: "toolu_given" }] } }] } });
    const res = await fetch(`${api.url}/v1/messages/`, { method: "POST", headers: { "x-api-key": KEY }, body: JSON.stringify({ ...ask("a1"), stream: true }) });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = await sseEvents(res);
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe("message_start");
    expect(kinds.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    const start = events[0]!.data.message;
    expect(start).toMatchObject({ id: "msg_1", type: "message", role: "assistant", model: MODEL, content: [], stop_reason: null });
    expect(start.usage.output_tokens).toBe(1);
    const textDeltas = events.filter((e) => e.data.delta?.type === "text_delta");
    expect(textDeltas.length).toBeGreaterThan(1);
    expect(textDeltas.map((e) => e.data.delta.text).join("")).toBe("hello there, world");
    const json = events.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta.partial_json).join("");
    expect(JSON.parse(json)).toEqual({ x: 1 });
    expect(events.find((e) => e.event === "content_block_start" && e.data.index === 1)!.data.content_block).toEqual({ type: "tool_use", id: "toolu_given", name: "t", input: {} });
    expect(events.at(-2)!.data).toMatchObject({ delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: expect.any(Number) } });
    expect(api.requests[0]).toMatchObject({ apiKeyHeader: KEY, authorization: null });
  });

  test("a non-streamed create returns the full Message; stop_reason and usage can be overridden", async () => {
    const api = serve({ scripts: { a1: [{ reply: { content: [{ type: "text", text: "done" }], stop_reason: "max_tokens", usage: { output_tokens: 7 } } }] } });
    const msg = await client(api).messages.create(ask("a1"));
    expect(msg).toMatchObject({ id: "msg_1", type: "message", role: "assistant", content: [{ type: "text", text: "done" }], stop_reason: "max_tokens", stop_sequence: null });
    expect(msg.usage.output_tokens).toBe(7);
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(api.requests[0]).toMatchObject({ agent: "a1", stream: false, answeredWith: "reply" });
  });

  test("scripts are per agent: two interleaved agents each get their own steps, push() adds more", async () => {
    const say = (text: string) => ({ reply: { content: [{ type: "text" as const, text }] } });
    const api = serve({ scripts: { a: [say("a-1"), say("a-2")], b: [say("b-1")] } });
    const c = client(api);
    const text = async (agent: string) => ((await c.messages.create(ask(agent))).content[0] as { text: string }).text;
    expect(await text("b")).toBe("b-1");
    expect(await text("a")).toBe("a-1");
    api.push("b", say("b-2"));
    expect(api.remaining("b")).toBe(1);
    expect(await text("b")).toBe("b-2");
    expect(await text("a")).toBe("a-2");
    expect(api.requests.map((r) => r.agent)).toEqual(["b", "a", "b", "a"]);
  });

  test("the agent is recognised in text blocks and in the system prompt", async () => {
    const say = { reply: { content: [{ type: "text" as const, text: "ok" }] } };
    const api = serve({ scripts: { "x.y_z-1": [say], sys: [say] } });
    const c = client(api);
    await c.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: [{ type: "text", text: "hi" }, { type: "text", text: "Agent: x.y_z-1" }] }] });
    await c.messages.create({ model: MODEL, max_tokens: 10, system: [{ type: "text", text: "You are Agent: sys" }], messages: [{ role: "user", content: "hi" }] });
    expect(api.requests.map((r) => r.agent)).toEqual(["x.y_z-1", "sys"]);
  });

  test("an unknown agent or an exhausted script gets 400 invalid_request_error", async () => {
    const api = serve({ scripts: { a1: [] } });
    const c = client(api);
    const err = await c.messages.create(ask("a1")).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.type).toBe("invalid_request_error");
    expect(err.message).toContain("no script step left for agent a1");
    expect(await c.messages.create(ask("nobody")).catch((e) => e)).toBeInstanceOf(BadRequestError);
    expect(api.requests.map((r) => r.answeredWith)).toEqual(["exhausted", "exhausted"]);
  });

  test("other routes get a 404 error body", async () => {
    const api = serve({ scripts: {} });
    const res = await fetch(`${api.url}/v1/models`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(api.requests).toHaveLength(0);
  });
});

describe("errors", () => {
  test("429 with retry-after: RateLimitError carrying the header when the client does not retry", async () => {
    const api = serve({ scripts: { a1: [{ fail: { status: 429, retryAfterSeconds: 3 } }] } });
    const err = await client(api).messages.create(ask("a1")).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.status).toBe(429);
    expect(err.type).toBe("rate_limit_error");
    expect(err.headers.get("retry-after")).toBe("3");
    expect(api.requests).toHaveLength(1);
  });

  test("429 with retry-after 1 and maxRetries 1: the SDK waits at least a second, then succeeds", async () => {
    const api = serve({ scripts: { a1: [{ fail: { status: 429, retryAfterSeconds: 1 } }, { reply: { content: [{ type: "text", text: "after waiting" }] } }] } });
    const msg = await client(api, 1).messages.stream(ask("a1")).finalMessage();
    expect(msg.content[0]).toMatchObject({ text: "after waiting" });
    const [first, second] = api.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
    expect([first!.answeredWith, second!.answeredWith]).toEqual(["fail", "reply"]);
  });

  test("529 is an overloaded_error with status 529", async () => {
    const api = serve({ scripts: { a1: [{ fail: { status: 529, message: "busy" } }] } });
    const err = await client(api).messages.stream(ask("a1")).finalMessage().catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err.status).toBe(529);
    expect(err.type).toBe("overloaded_error");
    expect(err.message).toContain("busy");
  });

  test("401, scripted or from a wrong key under expectKey, is an AuthenticationError", async () => {
    const api = serve({ scripts: { a1: [{ fail: { status: 401 } }] }, expectKey: KEY });
    expect(await client(api).messages.create(ask("a1")).catch((e) => e)).toBeInstanceOf(AuthenticationError);
    const wrong = new Anthropic({ apiKey: "sk-ant-wrong", baseURL: api.url, maxRetries: 0 });
    api.push("a1", { reply: { content: [{ type: "text", text: "never" }] } });
    const err = await wrong.messages.create(ask("a1")).catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.type).toBe("authentication_error");
    expect(api.remaining("a1")).toBe(1);
    expect(api.requests.map((r) => r.answeredWith)).toEqual(["fail", "unauthorized"]);
  });

  test("streamError: the stream throws an APIError after the first block", async () => {
    const api = serve({ scripts: { a1: [{ streamError: { afterBlocks: 1, message: "went away" } }] } });
    const stream = client(api).messages.stream(ask("a1"));
    const blocks: unknown[] = [];
    stream.on("contentBlock", (b) => blocks.push(b));
    const err = await stream.finalMessage().catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err.status).toBeUndefined();
    expect(err.type).toBe("overloaded_error");
    expect(err.message).toContain("went away");
    expect(blocks).toEqual([{ type: "text", text: "partial block 1", citations: null }]);
    expect(api.requests[0]!.answeredWith).toBe("streamError");
  });
});

describe("stalls", () => {
  test("stall: a stream aborted after 300 ms rejects, and stop() does not hang", async () => {
    const api = ScriptedApi.start({ scripts: { a1: [{ stall: {} }] } });
    const ac = new AbortController();
    const started = Date.now();
    const stream = client(api).messages.stream(ask("a1"), { signal: ac.signal });
    const events: string[] = [];
    stream.on("streamEvent", (e) => events.push(e.type));
    setTimeout(() => ac.abort(), 300);
    const err = await stream.finalMessage().catch((e) => e);
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(events).toEqual(["message_start"]);
    await api.stop();
  });

  test("stop() cuts a stream still stalled; the client sees an error rather than hanging", async () => {
    const api = ScriptedApi.start({ scripts: { a1: [{ stall: { afterEvents: 3 } }] } });
    const stream = client(api).messages.stream(ask("a1"));
    const delta = new Promise<void>((resolve) => stream.on("text", () => resolve()));
    const outcome = stream.finalMessage().then(() => "finished", () => "rejected");
    await delta;
    await api.stop();
    expect(await outcome).toBe("rejected");
  });

  test("a stalled non-streamed request is released by stop()", async () => {
    const api = ScriptedApi.start({ scripts: { a1: [{ stall: {} }] } });
    const outcome = client(api).messages.create(ask("a1")).then(() => "finished", () => "rejected");
    await api.waitForRequest((r) => r.answeredWith === "stall");
    await api.stop();
    expect(await outcome).toBe("rejected");
  });
});

describe("prompt caching", () => {
  const system = [{ type: "text" as const, text: "You are a careful engineer. ".repeat(40), cache_control: { type: "ephemeral" as const } }];
  const say = { reply: { content: [{ type: "text" as const, text: "ok" }] } };

  test("the same cache_control'd system prefix: first creates, second reads the same amount", async () => {
    const api = serve({ scripts: { a1: [say, say] } });
    const c = client(api);
    const first = await c.messages.stream(ask("a1", { system })).finalMessage();
    const second = await c.messages.create({ ...ask("a1", { system }), messages: [{ role: "user", content: "Agent: a1\nSomething else entirely." }] });
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens!);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    const total = (u: typeof first.usage) => u.input_tokens + u.cache_read_input_tokens! + u.cache_creation_input_tokens!;
    expect(Math.abs(total(first.usage) - Math.ceil(api.requests[0]!.raw.length / 4))).toBeLessThanOrEqual(1);
    expect(second.usage.input_tokens).toBeGreaterThan(0);
  });

  test("a breakpoint moved forward in a growing conversation reads last turn's prefix and creates the rest", async () => {
    const api = serve({ scripts: { a1: [say, say] } });
    const c = client(api);
    const turn1 = [{ role: "user" as const, content: [{ type: "text" as const, text: "Agent: a1\nstart", cache_control: { type: "ephemeral" as const } }] }];
    const first = await c.messages.create({ model: MODEL, max_tokens: 100, system, messages: turn1 });
    const turn2 = [
      { role: "user" as const, content: [{ type: "text" as const, text: "Agent: a1\nstart" }] },
      { role: "assistant" as const, content: [{ type: "text" as const, text: "ok" }] },
      { role: "user" as const, content: [{ type: "text" as const, text: "next step, please", cache_control: { type: "ephemeral" as const } }] },
    ];
    const second = await c.messages.create({ model: MODEL, max_tokens: 100, system, messages: turn2 });
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens!);
    expect(second.usage.cache_creation_input_tokens).toBeGreaterThan(0);
  });

  test("without cache_control nothing is cached; a different model does not share the cache", async () => {
    const api = serve({ scripts: { a1: [say, say, say] } });
    const c = client(api);
    const plain = await c.messages.create(ask("a1"));
    expect(plain.usage).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    await c.messages.create(ask("a1", { system }));
    const other = await c.messages.create(ask("a1", { system, model: "claude-haiku-4-5" }));
    expect(other.usage.cache_read_input_tokens).toBe(0);
    expect(other.usage.cache_creation_input_tokens).toBeGreaterThan(0);
  });
});
