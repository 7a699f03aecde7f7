// transcript.jsonl grows with what is new each turn, not with the whole conversation every turn
// (issue 14, item 2): ten large reads cost ten reads' worth of bytes, and the conversation can
// still be put back together from the file.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AnthropicRunner } from "../daemon/runners/anthropic/runner.ts";
import { ScriptedApi } from "./support/scripted-api.ts";
import { call, contextFor, finish, KEY, planOf, tempProject, transcriptOf } from "./anthropic-fixtures.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// cache_control moves to the newest message each turn; compare conversations without it
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === "cache_control" ? undefined : x)));

test("ten turns of 100 kB reads: the transcript holds each read once, and the conversation rebuilds", async () => {
  const project = tempProject();
  cleanups.push(project.remove);
  mkdirSync(join(project.root, "src"), { recursive: true });
  const READ = 100_000;
  writeFileSync(join(project.root, "src/big.txt"), "y".repeat(READ));
  const turns = 10;
  const api = ScriptedApi.start({ scripts: { a: [...Array.from({ length: turns }, () => call("read_file", { path: "src/big.txt" })), finish()] }, expectKey: KEY });
  cleanups.push(() => api.stop());
  const ctx = contextFor(project.root, project.planDir, planOf({ agents: [{ id: "a", territory: ["src/"] }] }), "a");
  expect((await new AnthropicRunner({ apiKey: KEY, baseURL: api.url }).start(ctx).done).outcome).toBe("finished");

  const size = statSync(join(ctx.agentDir, "transcript.jsonl")).size;
  expect(size).toBeGreaterThan(turns * READ);
  expect(size).toBeLessThan(1.5 * turns * READ); // whole conversations every turn: ~55 reads' worth

  // Rebuild the last request's conversation from the lines.
  const lines = transcriptOf(ctx);
  const conversation: unknown[] = [];
  let system: unknown, tools: unknown;
  for (const l of lines) {
    if (l.type === "request") {
      expect(l.messagesFrom).toBe(conversation.length);
      conversation.push(...l.body.messages);
      if (!l.unchanged?.includes("system")) system = l.body.system;
      if (!l.unchanged?.includes("tools")) tools = l.body.tools;
    } else if (l.type === "response") conversation.push({ role: "assistant", content: l.message.content });
  }
  const lastSent = api.requests.at(-1)!.body;
  expect(plain(conversation.slice(0, lastSent.messages.length))).toEqual(plain(lastSent.messages));
  expect(system).toEqual(lastSent.system);
  expect(tools).toEqual(lastSent.tools);
  expect(lines.filter((l) => l.type === "request").slice(1).every((l) => l.unchanged?.length === 2)).toBe(true);
});
