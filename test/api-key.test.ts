// Where purpled takes the API key from (SPEC §10): a 0600 file named by O/purple.yaml, systemd's
// credential, or (warned about) the environment; an unsafe file is refused with the reason.
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadApiKey } from "../daemon/process/api-key.ts";

const KEY = "sk-ant-CANARY-keyfile-0001";
const dir = () => mkdtempSync(join(tmpdir(), "purple-key-"));

test("apiKeyFile (relative to O/, mode 0600) is read; the environment's key is then not used", () => {
  const o = dir();
  writeFileSync(join(o, "key"), `${KEY}\n`, { mode: 0o600 });
  const got = loadApiKey({ orchestration: o, apiKeyFile: "key", env: { ANTHROPIC_API_KEY: "sk-ant-other" } });
  expect(got).toEqual({ key: KEY, from: "apiKeyFile" });
});

test("a key file others can read, a symlink, a missing or empty file: refused, naming the file and why", () => {
  const o = dir();
  writeFileSync(join(o, "open"), KEY, { mode: 0o644 });
  expect(() => loadApiKey({ orchestration: o, apiKeyFile: "open" })).toThrow(/mode 0644: others could read the key; chmod 600 it/);
  writeFileSync(join(o, "real"), KEY, { mode: 0o600 });
  symlinkSync(join(o, "real"), join(o, "link"));
  expect(() => loadApiKey({ orchestration: o, apiKeyFile: "link" })).toThrow(/is a symbolic link/);
  expect(() => loadApiKey({ orchestration: o, apiKeyFile: "missing" })).toThrow(/does not exist/);
  writeFileSync(join(o, "empty"), "", { mode: 0o600 });
  expect(() => loadApiKey({ orchestration: o, apiKeyFile: "empty" })).toThrow(/is empty/);
});

test("systemd's credential is used when present; the environment works but carries a warning about /proc/<pid>/environ", () => {
  const creds = dir();
  writeFileSync(join(creds, "anthropic-api-key"), KEY, { mode: 0o600 });
  expect(loadApiKey({ orchestration: dir(), env: { CREDENTIALS_DIRECTORY: creds } })).toEqual({ key: KEY, from: "credentials" });
  const empty = dir();
  mkdirSync(join(empty, "c"));
  const fromEnv = loadApiKey({ orchestration: dir(), env: { CREDENTIALS_DIRECTORY: join(empty, "c"), ANTHROPIC_API_KEY: KEY } });
  expect(fromEnv.from).toBe("environment");
  expect(fromEnv.warning).toContain("/proc/<purpled pid>/environ");
  expect(fromEnv.warning).not.toContain(KEY);
  expect(loadApiKey({ orchestration: dir(), env: {} })).toEqual({ key: undefined, from: "none" });
});
