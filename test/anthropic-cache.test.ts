// The shared prompt prefix as the API sees it: two agents of one plan send byte-identical tools and
// system blocks carrying cache_control, differ from messages[0] on, and the second reads the first's
// cache. The key appears in no transcript line and no prompt file.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AnthropicRunner } from "../daemon/runners/anthropic/runner.ts";
import type { RunContext, RunResult } from "../daemon/runners/runner.ts";
import { ScriptedApi, type RecordedRequest } from "./support/scripted-api.ts";
import { call, contextFor, finish, planOf, tempProject, transcriptOf } from "./anthropic-fixtures.ts";

const CANARY = "sk-ant-CANARY-0c1d2e3f4a5b";
const project = tempProject("shared");
const api = ScriptedApi.start({
  expectKey: CANARY,
  scripts: {
    routing: [call("write_file", { path: "src/routes/index.ts", content: "export const routes = [];\n" }), finish("routes")],
    picker: [call("read_file", { path: "src/routes/index.ts" }), finish("picker")],
  },
});
const plan = planOf({
  name: "shared",
  goal: "Shareable URLs",
  defaults: { allowedCommands: ["npm test"] },
  contracts: [{ id: "url-schema", owner: "routing", consumers: ["picker"], spec: "contracts/url.md" }],
  agents: [
    { id: "routing", role: "Routing", territory: ["src/routes/"], tickets: [{ id: "R-1", title: "routes" }] },
    { id: "picker", role: "Picker", territory: ["src/picker/"], dependsOn: ["routing"], tickets: [{ id: "P-1", title: "picker" }] },
  ],
  waves: [
    { id: "w1", agents: ["routing"] },
    { id: "w2", agents: ["picker"] },
  ],
});
const contexts: Record<string, RunContext> = {};
const results: Record<string, RunResult> = {};
let first: Record<string, RecordedRequest> = {};

beforeAll(async () => {
  mkdirSync(join(project.planDir, "contracts"));
  writeFileSync(join(project.planDir, "contracts/url.md"), "Routes are /project/:projectId.\n");
  const runner = new AnthropicRunner({ apiKey: CANARY, baseURL: api.url });
  for (const id of ["routing", "picker"]) {
    contexts[id] = contextFor(project.root, project.planDir, plan, id);
    results[id] = await runner.start(contexts[id]!).done;
  }
  first = Object.fromEntries(["routing", "picker"].map((id) => [id, api.requests.find((r) => r.agent === id)!]));
});
afterAll(async () => {
  await api.stop();
  project.remove();
});

test("both agents finished, each recognised by its Agent: line", () => {
  expect(results.routing!.outcome).toBe("finished");
  expect(results.picker!.outcome).toBe("finished");
  expect(api.requests.map((r) => r.agent)).toEqual(["routing", "routing", "picker", "picker"]);
});

test("tools and system are byte-identical JSON across agents and carry cache_control", () => {
  const { routing, picker } = first;
  expect(JSON.stringify(picker!.body.system)).toBe(JSON.stringify(routing!.body.system));
  expect(JSON.stringify(picker!.body.tools)).toBe(JSON.stringify(routing!.body.tools));
  expect(routing!.body.system.at(-1).cache_control).toEqual({ type: "ephemeral" });
  // and byte-identical in the raw request text, up to the messages
  const prefixOf = (raw: string) => raw.slice(0, raw.indexOf('"messages"'));
  const [a, b] = [prefixOf(routing!.raw), prefixOf(picker!.raw)];
  expect(a.length).toBeGreaterThan(1000);
  expect(b).toBe(a);
});

test("messages[0] is the agent's own: it differs and names the agent", () => {
  const text = (r: RecordedRequest) => r.body.messages[0].content.map((b: { text: string }) => b.text).join("");
  expect(text(first.routing!)).toStartWith("Agent: routing\n");
  expect(text(first.picker!)).toStartWith("Agent: picker\n");
  expect(text(first.picker!)).toContain("Routes are /project/:projectId."); // published to it by routing
  expect(JSON.stringify(first.routing!.body.system)).not.toMatch(/Agent: /);
});

test("the second agent's first request reads the shared prefix from the cache", () => {
  const firstUsage = (id: string) => transcriptOf(contexts[id]!).find((l) => l.type === "response")!.message.usage;
  expect(firstUsage("routing").cache_read_input_tokens).toBe(0);
  expect(firstUsage("routing").cache_creation_input_tokens).toBeGreaterThan(0);
  expect(firstUsage("picker").cache_read_input_tokens).toBeGreaterThan(0);
  expect(results.picker!.usage!.cacheReadTokens).toBeGreaterThan(0);
});

test("the key is in no transcript line and no prompt file, but did authenticate every request", () => {
  for (const id of ["routing", "picker"]) {
    for (const file of ["transcript.jsonl", "prompt.md"]) expect(readFileSync(join(contexts[id]!.agentDir, file), "utf8")).not.toContain("sk-ant-");
  }
  expect(api.requests.every((r) => r.authorization === `Bearer ${CANARY}` && r.answeredWith === "reply")).toBe(true);
  expect(api.requests.every((r) => !r.raw.includes(CANARY))).toBe(true);
});

test("a key-shaped string the model writes is scrubbed from the transcript", async () => {
  const leaky = ScriptedApi.start({ scripts: { routing: [{ reply: { content: [{ type: "text", text: "my key is sk-ant-api03-LEAKED_value-1" }] } }] } });
  try {
    const ctx = contextFor(project.root, project.planDir, plan, "routing", { agentDir: join(project.planDir, "agents", "leaky") });
    const result = await new AnthropicRunner({ apiKey: CANARY, baseURL: leaky.url }).start(ctx).done;
    expect(result).toMatchObject({ outcome: "finished", message: "ended its turn without calling finish: my key is sk-ant-[redacted]" });
    const text = readFileSync(join(ctx.agentDir, "transcript.jsonl"), "utf8");
    expect(text).not.toContain("LEAKED");
    expect(text).toContain("sk-ant-[redacted]");
  } finally {
    await leaky.stop();
  }
});
