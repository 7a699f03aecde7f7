// output.log stays bounded (issue 14, item 2): the last part is kept, the cut is said in the file,
// an agent still writing meanwhile loses nothing after the cut, and a real command agent that
// prints 50 MB ends with a log under the cap that still has its last line.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan } from "../protocol/index.ts";
import { CommandRunner } from "../daemon/runners/command.ts";
import { OUTPUT_LOG_KEEP_BYTES, OUTPUT_LOG_MAX_BYTES, OutputLogCap } from "../daemon/runners/output-cap.ts";

const root = mkdtempSync(join(tmpdir(), "purple-cap-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("over the cap, the file keeps its last bytes behind a line saying what was cut", async () => {
  const file = join(root, "one.log");
  writeFileSync(file, Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(""));
  const cap = new OutputLogCap(file, 2000, 500);
  await cap.check();
  const text = readFileSync(file, "utf8");
  const [head, ...rest] = text.split("\n");
  expect(head).toMatch(/^purple: \[output\.log cut here: \d+ earlier bytes dropped in all; the last 500 bytes follow\]$/);
  expect(rest.join("\n")).toEndWith("line 998\nline 999\n");
  expect(Buffer.byteLength(text)).toBe(Buffer.byteLength(head!) + 1 + 500);
  await cap.check(); // under the cap now: untouched
  expect(readFileSync(file, "utf8")).toBe(text);
});

test("an appending writer meanwhile: the file stays bounded and its newest bytes survive", async () => {
  const file = join(root, "two.log");
  writeFileSync(file, "");
  const cap = new OutputLogCap(file, 64 * 1024, 16 * 1024).start();
  const child = Bun.spawn(["bash", "-c", `for i in $(seq 1 20000); do echo "row $i"; done >> ${file}`]);
  await child.exited;
  await cap.stop();
  const text = readFileSync(file, "utf8");
  expect(statSync(file).size).toBeLessThanOrEqual(64 * 1024);
  expect(text).toEndWith("row 19999\nrow 20000\n");
  expect(text).toContain("output.log cut here");
});

test("a command agent printing 50 MB ends with output.log under the cap, its last line kept", async () => {
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "cap", agents: [{ id: "loud", runner: { kind: "command", command: ["bash", "-c", "head -c 50000000 /dev/zero | tr '\\0' x; echo; echo THE-END"] } }], waves: [{ id: "w", agents: ["loud"] }] });
  const agentDir = join(root, "agents", "loud");
  mkdirSync(agentDir, { recursive: true });
  const ctx = {
    plan, agent: plan.agents[0]!, wave: "w", attempt: 1, root, planDir: root, agentDir, prompt: "go\n",
    reporter: { startTicket() {}, completeTicket() {}, status() {}, spend: () => true },
    statusFile: join(root, "loud.json"), socket: "/tmp/none.sock", timeoutMs: 60_000, graceMs: 500,
  };
  const result = await new CommandRunner().start(ctx).done;
  expect(result.outcome).toBe("finished");
  const size = statSync(join(agentDir, "output.log")).size;
  expect(size).toBeLessThanOrEqual(OUTPUT_LOG_MAX_BYTES);
  expect(size).toBeGreaterThanOrEqual(OUTPUT_LOG_KEEP_BYTES);
  const text = readFileSync(join(agentDir, "output.log"), "utf8");
  expect(text).toStartWith("purple: [output.log cut here: ");
  expect(text).toMatch(/THE-END\n--- attempt 1 ended .*: finished: exited with code 0 ---\n$/);
}, 30_000);
