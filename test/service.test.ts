// Service files: the systemd unit passes `systemd-analyze verify` (system and --user, silent on
// stderr: it exits 0 on warnings), the plist parses with Python's plistlib to what we meant,
// and `purplectl service install` writes where each manager looks and prints the next step.
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderLaunchdPlist, xmlEscape } from "../ctl/service/launchd.ts";
import { purpledCommand, serviceSpec, stablePath } from "../ctl/service/purpled-command.ts";
import { quoteExecWord, renderSystemdUnit } from "../ctl/service/systemd.ts";
import { ctl } from "./ctl-fake-daemon.ts";

const which = (cmd: string) => Bun.which(cmd) !== null;
const REPO = realpathSync(join(import.meta.dir, ".."));

/** A project root whose path has what quoting must survive: spaces, quotes, %, $, a backslash, XML's & and <. */
function awkwardRoot(): string {
  const base = realpathSync(mkdtempSync(join(tmpdir(), "purple-svc-")));
  const root = join(base, `my "odd" project 100% $HOME & <co> back\\slash`);
  mkdirSync(join(root, ".context-kit", "orchestration"), { recursive: true });
  return root;
}

function verify(unitText: string, user: boolean): { code: number; err: string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "purple-unit-")));
  const file = join(dir, "purpled-test.service");
  writeFileSync(file, unitText);
  const runtime = join(dir, "runtime");
  mkdirSync(runtime, { mode: 0o700 });
  const r = Bun.spawnSync(["systemd-analyze", ...(user ? ["--user"] : []), "verify", file], { env: { ...process.env, XDG_RUNTIME_DIR: runtime }, stderr: "pipe", stdout: "pipe" });
  return { code: r.exitCode, err: r.stderr.toString() };
}

test("ExecStart words: plain ones bare, others double-quoted with C escapes, % and $ doubled", () => {
  expect(quoteExecWord("/usr/bin/bun")).toBe("/usr/bin/bun");
  expect(quoteExecWord("--root")).toBe("--root");
  expect(quoteExecWord("/a b")).toBe(`"/a b"`);
  expect(quoteExecWord(`a"b\\c`)).toBe(`"a\\"b\\\\c"`);
  expect(quoteExecWord("50%")).toBe("50%%");
  expect(quoteExecWord("$HOME")).toBe(`"$$HOME"`);
  expect(quoteExecWord("")).toBe(`""`);
});

test("the unit runs purpled for the root with absolute paths, restart and stop settings", () => {
  const root = awkwardRoot();
  const spec = serviceSpec(root);
  expect(spec.command.slice(-2)).toEqual(["--root", root]);
  for (const word of spec.command.slice(0, -2)) expect(existsSync(word)).toBe(true);
  const unit = renderSystemdUnit(spec, { user: true });
  for (const line of ["Type=simple", "Restart=on-failure", "RestartSec=2", "KillMode=mixed", "KillSignal=SIGTERM", "TimeoutStopSec=30", "WantedBy=default.target"]) expect(unit).toContain(`\n${line}\n`);
  expect(unit).toContain(`\nWorkingDirectory=${root.replaceAll("%", "%%")}\n`);
  expect(renderSystemdUnit(spec, { user: false, runAs: "alice" })).toContain("\nUser=alice\nRestart=on-failure\n");
  expect(renderSystemdUnit(spec, { user: false })).toContain("WantedBy=multi-user.target");
  expect(unit).not.toMatch(/ANTHROPIC|API_KEY|sk-ant/);
});

test.skipIf(!which("systemd-analyze"))("systemd-analyze verify accepts the system and the user unit without a word on stderr", () => {
  const spec = serviceSpec(awkwardRoot());
  for (const user of [false, true]) {
    const r = verify(renderSystemdUnit(spec, { user, runAs: user ? null : "root" }), user);
    expect({ user, ...r }).toEqual({ user, code: 0, err: "" });
  }
  // and it does catch a broken unit, so the check above means something
  const broken = verify(renderSystemdUnit({ ...spec, command: ["/nonexistent/purpled", "--root", spec.root] }, { user: false }), false);
  expect(broken.err).toContain("/nonexistent/purpled");
});

test.skipIf(!which("python3"))("the plist parses with plistlib to the label, argv, KeepAlive and log paths meant", () => {
  const root = awkwardRoot();
  const spec = serviceSpec(root);
  const file = join(realpathSync(mkdtempSync(join(tmpdir(), "purple-plist-"))), "p.plist");
  writeFileSync(file, renderLaunchdPlist(spec));
  const r = Bun.spawnSync(["python3", "-c", 'import plistlib,sys,json; print(json.dumps(plistlib.load(open(sys.argv[1],"rb")), default=str))', file], { stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  const plist = JSON.parse(r.stdout.toString());
  expect(plist.Label).toMatch(/^dev\.purple\.purpled\.[0-9a-f]{12}$/);
  expect(plist.ProgramArguments).toEqual(spec.command);
  expect(plist.WorkingDirectory).toBe(root);
  expect(plist.KeepAlive).toEqual({ SuccessfulExit: false });
  expect(plist.RunAtLoad).toBe(true);
  expect(plist.StandardOutPath).toBe(join(root, ".context-kit", "orchestration", ".purple", "purpled.out.log"));
  expect(plist.StandardErrorPath).toBe(join(root, ".context-kit", "orchestration", ".purple", "purpled.err.log"));
  expect(xmlEscape(`a&b<c>"d'\u0001`)).toBe("a&amp;b&lt;c&gt;&quot;d&apos;");
});

test("the compiled dist/purpled is preferred when it exists, else the real bun binary and daemon/main.ts", () => {
  const fakeRepo = realpathSync(mkdtempSync(join(tmpdir(), "purple-repo-")));
  mkdirSync(join(fakeRepo, "daemon"));
  writeFileSync(join(fakeRepo, "daemon", "main.ts"), "");
  expect(purpledCommand("/r", fakeRepo)).toEqual([process.execPath, join(fakeRepo, "daemon", "main.ts"), "--root", "/r"]);
  mkdirSync(join(fakeRepo, "dist"));
  writeFileSync(join(fakeRepo, "dist", "purpled"), "", { mode: 0o755 });
  expect(purpledCommand("/r", fakeRepo)).toEqual([join(fakeRepo, "dist", "purpled"), "--root", "/r"]);
  const here = purpledCommand("/r", REPO);
  expect(here[0]).toBe(existsSync(join(REPO, "dist", "purpled")) ? join(REPO, "dist", "purpled") : realpathSync(join(REPO, "node_modules", ".bin", "bun")));
});

test("service install writes the user unit or the LaunchAgent, prints the next command, and is idempotent", async () => {
  const root = awkwardRoot();
  const home = realpathSync(mkdtempSync(join(tmpdir(), "purple-home-")));
  const env = { HOME: home, XDG_CONFIG_HOME: undefined };
  const spec = serviceSpec(root);

  const first = await ctl(["--root", root, "service", "install", "--systemd", "--user"], { env });
  expect(first.code).toBe(0);
  const unitPath = join(home, ".config", "systemd", "user", `${spec.name}.service`);
  expect(first.out).toContain(`created ${unitPath}`);
  expect(first.out).toContain(`systemctl --user daemon-reload && systemctl --user enable --now ${spec.name}.service`);
  expect(readFileSync(unitPath, "utf8")).toBe(renderSystemdUnit(spec, { user: true }));
  expect((await ctl(["--root", root, "service", "install", "--systemd", "--user"], { env })).out).toContain("unchanged");

  const mac = await ctl(["--root", root, "--json", "service", "install", "--launchd"], { env });
  expect(mac.code).toBe(0);
  const result = JSON.parse(mac.out);
  expect(result.path).toBe(join(home, "Library", "LaunchAgents", `${spec.label}.plist`));
  expect(result.next).toStartWith("launchctl bootstrap gui/$(id -u) ");
  expect(readFileSync(result.path, "utf8")).toBe(renderLaunchdPlist(spec));

  const printed = await ctl(["--root", root, "service", "print", "--user"], { env });
  expect(printed.out).toBe(process.platform === "darwin" ? renderLaunchdPlist(spec) : renderSystemdUnit(spec, { user: true }));
});

test("the unit's PATH keeps the user's own entries, not npx's cache, node_modules/.bin, temp or relative ones", () => {
  const path = ["/root/.npm/_npx/1a2b/node_modules/.bin", "/work/app/node_modules/.bin", "/tmp/xfs-123/bin", "/my/tmp-ish/bin", "relative/bin", "/usr/local/bin", "/usr/bin", "/usr/bin"].join(":");
  expect(stablePath(path, "/var/tmp/t")).toBe("/my/tmp-ish/bin:/usr/local/bin:/usr/bin");
  expect(serviceSpec(awkwardRoot(), { PATH: path }).env.PATH).not.toContain("_npx");
});
