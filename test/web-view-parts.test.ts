// The web view's parts without a browser: which addresses it may listen on, what the token gate
// lets through, reading a log piece by piece, and an attempt's changeset from git.
import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AttemptChangeset, parseListen, type AgentStatus } from "../protocol/index.ts";
import { ensureToken, Gate, hostNames } from "../daemon/http/auth.ts";
import { changesetOf } from "../daemon/http/changeset.ts";
import { readAgentLog, readEventHistory } from "../daemon/http/files.ts";
import { tempRoot } from "./support/daemon.ts";

describe("listen address", () => {
  test("loopback only", () => {
    expect(parseListen("127.0.0.1:8787")).toEqual({ host: "127.0.0.1", port: 8787 });
    expect(parseListen("127.1.2.3:0")).toEqual({ host: "127.1.2.3", port: 0 });
    expect(parseListen("[::1]:9000")).toEqual({ host: "::1", port: 9000 });
    expect(parseListen("localhost:1")).toEqual({ host: "localhost", port: 1 });
    for (const bad of ["0.0.0.0:80", "192.168.1.5:80", "[::]:80", "example.com:80", "127.0.0.1", "127.0.0.1:70000", "127.0.0.256:1"]) {
      expect(typeof parseListen(bad)).toBe("string");
    }
  });
});

describe("token gate", () => {
  const dir = mkdtempSync(join(tmpdir(), "purple-gate-"));
  const token = ensureToken(dir);
  const gate = new Gate(token, hostNames("127.0.0.1", 4000), 4000);
  const req = (path: string, headers: Record<string, string> = {}, method = "GET") =>
    gate.check(new Request(`http://127.0.0.1:4000${path}`, { method, headers: { host: "127.0.0.1:4000", ...headers } }), new URL(`http://127.0.0.1:4000${path}`));

  test("the token file is 0600 and kept across starts", () => {
    expect(statSync(join(dir, "http-token")).mode & 0o777).toBe(0o600);
    expect(ensureToken(dir)).toBe(token);
  });
  test("query (then a cookie), cookie, or bearer; nothing else", () => {
    expect(req(`/?token=${token}`)).toEqual({ ok: true, setCookie: true });
    expect(gate.cookie()).toMatch(/^purple_4000=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(req("/", { cookie: `other=1; purple_4000=${token}` })).toEqual({ ok: true, setCookie: false });
    expect(req("/", { authorization: `Bearer ${token}` })).toEqual({ ok: true, setCookie: false });
    expect(req("/")).toMatchObject({ ok: false, status: 401 });
    expect(req(`/?token=${token}x`)).toMatchObject({ ok: false, status: 401 });
    expect(req("/", { cookie: `purple_4001=${token}` })).toMatchObject({ ok: false, status: 401 });
  });
  test("a foreign Host, a foreign Origin, a non-JSON change are refused", () => {
    expect(req("/", { authorization: `Bearer ${token}`, host: "attacker.example:4000" })).toMatchObject({ ok: false, status: 421 });
    const post = (h: Record<string, string>) => req("/api/rpc/plan.pause", { authorization: `Bearer ${token}`, ...h }, "POST");
    expect(post({ "content-type": "application/json" })).toMatchObject({ ok: true });
    expect(post({ "content-type": "application/json", origin: "http://127.0.0.1:4000" })).toMatchObject({ ok: true });
    expect(post({ "content-type": "application/json", origin: "http://attacker.example" })).toMatchObject({ ok: false, status: 403 });
    expect(post({ "content-type": "application/x-www-form-urlencoded" })).toMatchObject({ ok: false, status: 403 });
  });
});

describe("files", () => {
  test("an agent's log, read on from where the last piece ended", () => {
    const dir = mkdtempSync(join(tmpdir(), "purple-log-"));
    mkdirSync(join(dir, "agents", "a"), { recursive: true });
    expect(readAgentLog(dir, "a", null)).toEqual({ file: null, size: 0, from: 0, next: 0, text: "" });
    writeFileSync(join(dir, "agents", "a", "output.log"), "one\n");
    const first = readAgentLog(dir, "a", null);
    expect(first).toEqual({ file: "output.log", size: 4, from: 0, next: 4, text: "one\n" });
    // a piece that ends inside a character stops before it; the next piece starts with it whole
    const euro = Buffer.from("€"); // 3 bytes
    appendFileSync(join(dir, "agents", "a", "output.log"), Buffer.concat([Buffer.from("two "), euro.subarray(0, 2)]));
    const second = readAgentLog(dir, "a", first.next);
    expect(second).toEqual({ file: "output.log", size: 10, from: 4, next: 8, text: "two " });
    appendFileSync(join(dir, "agents", "a", "output.log"), Buffer.concat([euro.subarray(2), Buffer.from("\n")]));
    expect(readAgentLog(dir, "a", second.next)).toMatchObject({ next: 12, text: "€\n" });
    expect(() => readAgentLog(dir, "../etc", null)).toThrow("not an agent id");
  });
  test("the event history keeps the last events and skips a torn line", () => {
    const dir = mkdtempSync(join(tmpdir(), "purple-ev-"));
    writeFileSync(join(dir, "events.jsonl"), [1, 2, 3].map((seq) => JSON.stringify({ seq })).join("\n") + '\n{"seq":4');
    expect(readEventHistory(dir, 2)).toEqual([{ seq: 2 }, { seq: 3 }]);
  });
});

describe("changeset", () => {
  test("kept files with their diff, a refused path marked with no diff", async () => {
    const root = tempRoot({ git: true });
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "new.ts"), "export const x = 1;\n");
    writeFileSync(join(root, "README.md"), "test project\nmore\n");
    const status = {
      plan: "p", agent: "a", attempt: 2, changedFiles: ["README.md", "src/new.ts"],
      violations: [{ path: "etc/evil", action: "deleted", at: new Date().toISOString() }],
    } as unknown as AgentStatus;
    const cs = AttemptChangeset.parse(await changesetOf(root, join(root, "no-record"), status));
    expect(cs.attempt).toBe(2);
    expect(cs.files.map((f) => [f.path, f.change, f.refused])).toEqual([["README.md", "modified", false], ["etc/evil", "added", true], ["src/new.ts", "added", false]]);
    expect(cs.files[0]!.diff).toContain("+more");
    expect(cs.files[1]!.diff).toBeNull();
    expect(cs.files[2]!.diff).toContain("+export const x = 1;");
  });
});
