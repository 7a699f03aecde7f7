// The web view of the real purpled, in headless Chromium (issue 17): a running plan appears live,
// agents change state without a reload, an attempt's diff shows its files and marks a refused
// path, pause and resume from the page change the plan, and nothing answers without the token.
// Agents are command agents waiting on files the test creates, so every state is the test's choice.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import YAML from "yaml";
import { DaemonInfo, PlanStatus, type PlanInput } from "../protocol/index.ts";
import { launchChromium, noBrowser } from "./support/browser.ts";
import { BUN, DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { expectValid, readJson } from "./support/files.ts";
import { TestRpc } from "./support/rpc.ts";
import { ScriptedApi, type ScriptStep } from "./support/scripted-api.ts";

const REPO = join(import.meta.dir, "..");
const daemons: DaemonProcess[] = [];
const apis: ScriptedApi[] = [];
const clients: TestRpc[] = [];
let browser: Browser | null = null;

if (noBrowser) console.warn(`the web view's browser tests are skipped: ${noBrowser}`);

beforeAll(async () => {
  if (!noBrowser) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
  for (const a of apis.splice(0)) await a.stop();
  for (const c of controls.splice(0)) rmSync(c, { recursive: true, force: true });
});

async function startDaemon(root: string, args: string[] = ["--http", "127.0.0.1:0"], env: Record<string, string> = {}): Promise<{ rpc: TestRpc; info: DaemonInfo; token: string }> {
  const d = new DaemonProcess(root, args, env);
  daemons.push(d);
  await d.started();
  const stateDir = join(orchestrationDir(root), ".purple");
  const info = expectValid(DaemonInfo, readJson(join(stateDir, "daemon.json")), "daemon.json");
  const rpc = await TestRpc.connect(info.socket);
  clients.push(rpc);
  const token = info.http ? readFileSync(join(stateDir, "http-token"), "utf8").trim() : "";
  return { rpc, info, token };
}

/** purplectl dashboard's output: the address with the token. */
function dashboardUrl(root: string): string {
  const r = Bun.spawnSync([BUN, join(REPO, "ctl", "main.ts"), "--root", root, "dashboard"], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`purplectl dashboard: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

const controls: string[] = [];
/** Where the test leaves go-<id> files for its agents: outside /tmp, which a sandboxed agent sees fresh and empty (the rest of the host it sees read-only). */
function controlDir(): string {
  const dir = mkdtempSync("/var/tmp/purple-web-");
  controls.push(dir);
  return dir;
}

/** An agent that says hello, then waits for go-<id> in `ctl` before running `work`. */
const waiting = (ctl: string, id: string, work: string) => ({
  kind: "command" as const,
  command: ["bash", "-c", `echo "${id}: reading the project"; echo "${id}: waiting for the go-ahead"; while [ ! -f ${ctl}/go-${id} ]; do sleep 0.05; done; ${work}; echo "${id}: done"`],
});

function planOf(ctl: string): PlanInput {
  return {
    apiVersion: "purple/v1",
    name: "shareable-urls",
    goal: "Shareable project URLs",
    maxAgents: 4,
    defaults: { runner: "command", retries: 0 },
    agents: [
      { id: "routing", role: "Routing", territory: ["src/routes.ts"], tickets: [{ id: "URL-1", title: "Add the /project/:id route" }, { id: "URL-2", title: "Redirect old links" }], runner: waiting(ctl, "routing", "mkdir -p src && printf 'export const ProjectRoute = \"/project/:id\";\\n' > src/routes.ts") },
      { id: "storage", role: "Storage", territory: ["src/storage.ts"], tickets: [{ id: "URL-3", title: "Persist the selected project" }], runner: waiting(ctl, "storage", "mkdir -p src && printf 'export const key = \"project\";\\n' > src/storage.ts") },
      // writes its own file, and README.md, which is not its to write: refused
      { id: "picker", role: "Project picker", territory: ["src/picker.ts"], dependsOn: ["routing"], tickets: [{ id: "URL-4", title: "Read the project id from the URL" }], runner: waiting(ctl, "picker", "printf 'import { ProjectRoute } from \"./routes\";\\nexport const pick = () => ProjectRoute;\\n' > src/picker.ts; echo 'defaced' >> README.md || true") },
    ],
    waves: [
      { id: "wave-1", title: "Foundation", agents: ["routing", "storage"], gate: [{ exists: "src/routes.ts" }, { run: "test -s src/storage.ts && echo storage is there" }, { manual: "Design review" }] },
      { id: "wave-2", title: "Integration", agents: ["picker"], gate: [{ contains: { file: "src/picker.ts", pattern: "ProjectRoute" } }] },
    ],
  };
}

const row = (agent: string, state: string) => `tr[data-agent="${agent}"][data-state="${state}"]`;

/** Before a screenshot: no toast, no hover, the plan scrolled to its top. */
async function settle(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await page.waitForSelector("#toast", { state: "hidden" });
  await page.evaluate(() => (globalThis as any).document.getElementById("main").scrollTo(0, 0));
}

/** Wait until the element's text includes `text`. */
async function textShows(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(([sel, t]) => (globalThis as any).document.querySelector(sel)?.textContent?.includes(t), [selector, text] as const);
}

/** Click an action button, then the confirm dialog's Confirm. */
async function confirmed(page: Page, button: string): Promise<void> {
  await page.click(button);
  await page.waitForSelector("dialog#confirm[open]");
  await page.click("#confirm-ok");
  await page.waitForSelector("dialog#confirm:not([open])", { state: "attached" });
}

async function planState(rpc: TestRpc, root: string): Promise<{ rpc: string; file: string }> {
  const file = expectValid(PlanStatus, readJson(join(orchestrationDir(root), "shareable-urls", "status.json")), "status.json").state;
  return { rpc: (await rpc.call("plan.get", { plan: "shareable-urls" })).plan.state, file };
}

async function waitForFileState(rpc: TestRpc, root: string, state: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const s = await planState(rpc, root).catch(() => null);
    if (s?.rpc === state && s.file === state) return;
    await Bun.sleep(20); // the status writer flushes after the transition
  }
  throw new Error(`the plan never became ${state} in plan.get and status.json: ${JSON.stringify(await planState(rpc, root))}`);
}

describe.skipIf(noBrowser !== null)("web view in headless Chromium", () => {
  test("a plan runs live on the page: states, output, pause, resume and approve, the diff with a refused path", async () => {
    const root = tempRoot({ git: true });
    const ctl = controlDir();
    const { rpc } = await startDaemon(root);
    const context = await browser!.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));

    // The token in the address becomes a cookie and leaves the address bar.
    await page.goto(dashboardUrl(root));
    expect(new URL(page.url()).search).toBe("");
    await page.waitForSelector("#conn[data-conn=live]");
    await page.waitForSelector("text=No plans yet");
    await page.evaluate(() => ((globalThis as any).__sameDocument = true));

    // A plan submitted now appears without a reload, its first wave running.
    writeFileSync(join(ctl, "plan.yaml"), YAML.stringify(planOf(ctl)));
    await rpc.call("plan.submit", { path: join(ctl, "plan.yaml") });
    await page.waitForSelector('.plan-link[data-plan="shareable-urls"]', { timeout: 20_000 });
    await page.waitForSelector(row("routing", "running"), { timeout: 20_000 });
    await page.waitForSelector(row("storage", "running"), { timeout: 20_000 });
    expect(await page.textContent(row("picker", "queued"))).toContain("picker");
    // the gates' checks are listed before they run
    expect(await page.textContent('section[data-wave="wave-1"] li[data-check-state="pending"]:first-child')).toContain("src/routes.ts");
    expect(await page.locator('section[data-wave="wave-1"] li[data-check-state="pending"]').count()).toBe(3);
    expect(await page.textContent('section[data-wave="wave-2"] li[data-check-state="pending"]')).toContain("src/picker.ts ~ ProjectRoute");
    await rpc.call("purple_progress_complete_ticket", { plan: "shareable-urls", ticketId: "URL-1", agent: "routing" });
    await rpc.call("purple_update_status", { plan: "shareable-urls", agent: "routing", tool: "Edit", activeFile: "src/routes.ts" });
    await textShows(page, 'tr[data-agent="routing"]', "1/2 tickets");
    expect(await page.textContent('tr[data-agent="routing"]')).toContain("Edit · src/routes.ts");
    expect(await page.textContent('[data-testid="slots"]')).toContain("2 of 8 slots in use");

    // The agent's output, live.
    await page.click('tr[data-agent="routing"] button[data-open="output"]');
    await textShows(page, "#panel pre.log", "routing: waiting for the go-ahead");

    // Pause and resume from the page: the daemon's state (RPC and status.json) follows.
    await confirmed(page, 'button[data-act="pause"]');
    await page.waitForSelector('[data-testid="plan-state"]:text("paused")');
    await waitForFileState(rpc, root, "paused");
    await confirmed(page, 'button[data-act="resume"]');
    await page.waitForSelector('[data-testid="plan-state"]:text("running")');
    await waitForFileState(rpc, root, "running");
    await settle(page);
    await page.screenshot({ path: shot("web-view-running.png") ?? join(ctl, "running.png") });

    // Wave 1 finishes: states change in place, the gate's checks show.
    writeFileSync(join(ctl, "go-routing"), "");
    writeFileSync(join(ctl, "go-storage"), "");
    await page.waitForSelector(row("routing", "completed"), { timeout: 20_000 });
    await textShows(page, "#panel pre.log", "routing: done");
    // The manual check blocks the plan until a person approves it on the page.
    await page.waitForSelector('[data-testid="plan-state"]:text("blocked")');
    await page.waitForSelector('section[data-wave="wave-1"] li[data-check-state="failed"]:has-text("Design review")');
    await confirmed(page, 'button[data-act="approve"]');
    await page.waitForSelector('section[data-wave="wave-1"][data-state="passed"]', { timeout: 20_000 });
    await page.waitForSelector('section[data-wave="wave-1"] li[data-check-state="passed"]:has-text("test -s src/storage.ts")');
    await page.waitForSelector('section[data-wave="wave-1"] li[data-check-state="passed"]:has-text("Design review")');
    expect(await page.locator('section[data-wave="wave-1"] li[data-check-state="passed"]').count()).toBe(3);
    await page.click('section[data-wave="wave-1"] li:has-text("test -s src/storage.ts") button');
    await textShows(page, 'section[data-wave="wave-1"] pre.output', "storage is there");

    // Wave 2: the picker writes its file and README.md; the page shows both, README.md refused.
    await page.waitForSelector(row("picker", "running"), { timeout: 20_000 });
    writeFileSync(join(ctl, "go-picker"), "");
    await page.waitForSelector(row("picker", "failed"), { timeout: 20_000 });
    await page.waitForSelector('[data-testid="plan-state"]:text("failed")', { timeout: 20_000 });
    // routing's attempt reached the project: its file with the diff
    await page.click('tr[data-agent="routing"] button[data-open="changes"]');
    await page.waitForSelector('#panel .file[data-path="src/routes.ts"][data-refused="false"] pre.diff');
    expect(await page.textContent('.file[data-path="src/routes.ts"] pre.diff')).toContain('+export const ProjectRoute = "/project/:id";');
    // picker's: its own file listed, README.md refused and marked (with the sandbox's all-or-nothing
    // apply its own file is held back too; with the audit it is kept and shows its diff)
    await page.click('tr[data-agent="picker"] button[data-open="changes"]');
    await page.waitForSelector('#panel .file[data-path="src/picker.ts"][data-refused="false"]');
    await page.waitForSelector('.file[data-path="README.md"][data-refused="true"] .refused-tag');
    expect(await page.textContent('.file[data-path="README.md"]')).toContain("README.md is outside the agent's territory: this change never reached the project");
    expect(readFileSync(join(root, "README.md"), "utf8")).toBe("test project\n"); // the page says what the project shows
    await settle(page);
    await page.screenshot({ path: shot("web-view-after.png") ?? join(ctl, "after.png") });

    // Events were listed as they came; the page never reloaded and threw nothing.
    expect(await page.textContent(".event-list")).toContain("agent.violation");
    expect(await page.evaluate(() => (globalThis as any).__sameDocument)).toBe(true);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

  test("an agent waiting out its retry backoff shows when it retries; Cancel on the page ends the plan", async () => {
    const root = tempRoot({ git: true });
    const ctl = controlDir();
    const { rpc } = await startDaemon(root, ["--http", "127.0.0.1:0", "--retry-base", "60s"]);
    const plan: PlanInput = {
      apiVersion: "purple/v1", name: "flaky", defaults: { runner: "command", retries: 1 },
      agents: [{ id: "flaky", territory: ["out/"], runner: { kind: "command", command: ["bash", "-c", "echo 'no network today' >&2; exit 3"] } }],
      waves: [{ id: "w", agents: ["flaky"] }],
    };
    writeFileSync(join(ctl, "plan.yaml"), YAML.stringify(plan));
    const context = await browser!.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(dashboardUrl(root));
    await rpc.call("plan.submit", { path: join(ctl, "plan.yaml") });
    await page.waitForSelector('tr[data-agent="flaky"][data-state="queued"] .retry');
    const status = (await rpc.call("plan.get", { plan: "flaky" })).agents[0];
    expect(status.attempt).toBe(1);
    expect(Date.parse(status.retryAt)).toBeGreaterThan(Date.now());
    expect(await page.textContent('tr[data-agent="flaky"] [data-testid="agent-state"]')).toBe("waiting");
    await textShows(page, 'tr[data-agent="flaky"] .retry', "retry at");
    await confirmed(page, 'button[data-act="cancel"]');
    await page.waitForSelector('[data-testid="plan-state"]:text("cancelled")');
    expect((await rpc.call("plan.get", { plan: "flaky" })).plan.state).toBe("cancelled");
    await context.close();
  }, 60_000);

  test("a model agent: its tokens and cost, and its transcript readable", async () => {
    const call = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });
    const api = ScriptedApi.start({ scripts: { writer: [call("write_file", { path: "src/w.txt", content: "hi\n" }), call("finish", { summary: "wrote src/w.txt" })] } });
    apis.push(api);
    const root = tempRoot({ git: true });
    const { rpc } = await startDaemon(root, ["--http", "127.0.0.1:0"], { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: api.url });
    const ctl = controlDir();
    const plan: PlanInput = {
      apiVersion: "purple/v1", name: "model", defaults: { runner: "anthropic", retries: 0, model: "claude-sonnet-4-5" },
      agents: [{ id: "writer", territory: ["src/"] }], waves: [{ id: "w", agents: ["writer"] }],
    };
    writeFileSync(join(ctl, "plan.yaml"), YAML.stringify(plan));
    await rpc.call("plan.submit", { path: join(ctl, "plan.yaml") });
    const context = await browser!.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(dashboardUrl(root));
    await page.waitForSelector(row("writer", "completed"));
    const detail = await rpc.call("plan.get", { plan: "model" });
    const usage = detail.agents[0].usage;
    expect(usage.costUsd).toBeGreaterThan(0);
    await textShows(page, 'tr[data-agent="writer"]', `$${usage.costUsd.toFixed(4)}`);
    await textShows(page, '[data-testid="plan-cost"]', `$${detail.plan.usage.costUsd.toFixed(4)}`);
    await page.click('tr[data-agent="writer"] button[data-open="output"]');
    await textShows(page, "#panel pre.log", '⚙ write_file {"path":"src/w.txt"');
    await textShows(page, "#panel pre.log", "■ ");
    expect(await page.textContent("#panel .log-meta")).toContain("transcript.jsonl");
    await context.close();
  }, 60_000);

});

describe("web view address and token", () => {
  test("the page needs the token: 401 without it, 421 for a foreign Host, 403 cross-site; the token file is 0600", async () => {
    const root = tempRoot();
    mkdirSync(orchestrationDir(root), { recursive: true });
    writeFileSync(join(orchestrationDir(root), "purple.yaml"), "http: 127.0.0.1:0\n"); // from the config this time
    const { info, token } = await startDaemon(root, []);
    const base = info.http!;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(statSync(join(orchestrationDir(root), ".purple", "http-token")).mode & 0o777).toBe(0o600);

    if (browser) { // the browser's view of it too, when there is one
      const context = await browser.newContext();
      const page = await context.newPage();
      expect((await page.goto(base))!.status()).toBe(401);
      expect((await page.goto(`${base}?token=wrong-${token}`))!.status()).toBe(401);
      expect((await page.goto(`${base}api/events`))!.status()).toBe(401);
      await context.close();
    }
    expect((await fetch(base)).status).toBe(401);
    for (const [path, init] of [["api/rpc/plan.list", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }], ["assets/app.js", {}], ["api/session", {}]] as const) {
      expect((await fetch(base + path, init)).status).toBe(401);
    }
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${base}api/session`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${base}api/session`, { headers: { ...auth, host: "evil.example:80" } })).status).toBe(421);
    const crossSite = await fetch(`${base}api/rpc/plan.list`, { method: "POST", body: "{}", headers: { ...auth, "content-type": "application/json", origin: "http://evil.example" } });
    expect(crossSite.status).toBe(403);
    const notJson = await fetch(`${base}api/rpc/plan.list`, { method: "POST", body: "{}", headers: { ...auth, "content-type": "text/plain" } });
    expect(notJson.status).toBe(403);
    // the page's methods only: no submit, no shutdown
    const shutdown = await fetch(`${base}api/rpc/daemon.shutdown`, { method: "POST", body: "{}", headers: { ...auth, "content-type": "application/json" } });
    expect(shutdown.status).toBe(404);
    expect(((await shutdown.json()) as any).error.code).toBe("METHOD_NOT_FOUND");
  }, 60_000);
  test("purplectl dashboard prints the address with the token, or says the daemon serves none", async () => {
    const root = tempRoot();
    const { token, info } = await startDaemon(root);
    expect(dashboardUrl(root)).toBe(`${info.http}?token=${token}`);
    const res = await fetch(dashboardUrl(root), { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toContain("HttpOnly; SameSite=Strict");
    await daemons.pop()!.stop();
    const plain = tempRoot();
    await startDaemon(plain, []);
    const r = Bun.spawnSync([BUN, join(REPO, "ctl", "main.ts"), "--root", plain, "dashboard"], { stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toContain("purpled serves no web view: start it with --http");
  }, 30_000);

  test("O deleted and recreated: the token file and daemon.json's address come back", async () => {
    const root = tempRoot();
    const d = new DaemonProcess(root, ["--http", "127.0.0.1:0", "--rescan", "300ms"]);
    daemons.push(d);
    await d.started();
    const stateDir = join(orchestrationDir(root), ".purple");
    const token = readFileSync(join(stateDir, "http-token"), "utf8");
    const url = expectValid(DaemonInfo, readJson(join(stateDir, "daemon.json")), "daemon.json").http;
    rmSync(orchestrationDir(root), { recursive: true });
    mkdirSync(join(orchestrationDir(root), "inbox"), { recursive: true });
    await d.waitFor((l) => String(l.msg).includes("purpled rebuilt its state folder"), "the state folder rebuilt");
    expect(readFileSync(join(stateDir, "http-token"), "utf8")).toBe(token);
    expect(statSync(join(stateDir, "http-token")).mode & 0o777).toBe(0o600);
    expect(expectValid(DaemonInfo, readJson(join(stateDir, "daemon.json")), "daemon.json").http).toBe(url);
    expect((await fetch(`${url}api/session`, { headers: { authorization: `Bearer ${token.trim()}` } })).status).toBe(200);
  }, 30_000);

  test("purpled refuses a non-loopback address", () => {
    const root = tempRoot();
    const r = Bun.spawnSync([BUN, join(REPO, "daemon", "main.ts"), "--root", root, "--http", "0.0.0.0:0"], { stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toContain("0.0.0.0 is not a loopback address");
  });
});

/** Where a screenshot goes: docs/ when PURPLE_SCREENSHOTS=1 (to refresh the README's pictures), else the test's temp dir. */
function shot(name: string): string | null {
  return process.env.PURPLE_SCREENSHOTS === "1" ? join(REPO, "docs", name) : null;
}
