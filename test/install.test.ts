// purple installs like a tool: the packed project installed globally into a temp prefix (npm's
// cache has the dependencies here; a fresh machine fetches them from the registry), and the
// layout `npm link` makes, both run purpled and purplectl from outside any checkout with no
// `bun` on PATH (bin/ are sh launchers that exec the package's own Bun; launch.mjs is the Node
// fallback); relative paths resolve from the working directory; the service unit they print
// carries no temporary path.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = realpathSync(join(import.meta.dir, ".."));
const base = realpathSync(mkdtempSync(join(tmpdir(), "purple-install-")));
afterAll(() => rmSync(base, { recursive: true, force: true }), 60_000);

// PATH as a user without Bun has it: node and npm, nothing of purple's.
const SYSTEM_PATH = ["/usr/local/bin", "/usr/bin", "/bin"].filter((d) => existsSync(d)).join(":");
const noBun = SYSTEM_PATH.split(":").every((d) => !existsSync(join(d, "bun")));

function run(cmd: string[], cwd: string, extraPath = ""): { code: number; out: string; err: string } {
  const env: Record<string, string | undefined> = { ...process.env, PATH: [extraPath, SYSTEM_PATH].filter(Boolean).join(":") };
  delete env.PURPLE_SOCKET;
  const r = Bun.spawnSync(cmd, { cwd, env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? -1, out: r.stdout.toString(), err: r.stderr.toString() };
}

const PLAN = `apiVersion: purple/v1
name: tiny
agents:
  - id: a
    territory: [out/]
    runner: { kind: command, command: ["true"] }
waves:
  - { id: w1, agents: [a] }
`;

/** A project outside any checkout, with a plan at plans/tiny.yaml (relative to it). */
function project(name: string): string {
  const dir = join(base, name);
  mkdirSync(join(dir, "plans"), { recursive: true });
  mkdirSync(join(dir, ".context-kit", "orchestration"), { recursive: true });
  writeFileSync(join(dir, "plans", "tiny.yaml"), PLAN);
  return dir;
}

async function daemonServes(bin: string, proj: string): Promise<void> {
  // purpled started by name from PATH with a relative --root, from the project's parent.
  const daemon = Bun.spawn(["purpled", "--root", proj.split("/").pop()!], {
    cwd: join(proj, ".."),
    env: { ...process.env, PATH: `${bin}:${SYSTEM_PATH}` },
    stdout: "ignore",
    stderr: "pipe",
  });
  const info = join(proj, ".context-kit", "orchestration", ".purple", "daemon.json");
  try {
    for (let i = 0; i < 400 && !existsSync(info) && daemon.exitCode === null; i++) await Bun.sleep(50);
    expect(existsSync(info)).toBe(true);
    const status = run(["purplectl", "status"], proj, bin);
    expect(status.err).toBe("");
    expect(status.code).toBe(0);
    expect(status.out).toContain("purpled 0.1.0");
    expect(status.out).toContain(`root ${proj}`);
  } finally {
    daemon.kill("SIGTERM");
    expect(await daemon.exited).toBe(0);
  }
}

test.skipIf(!noBun)("npm pack + npm install -g into a temp prefix: purpled and purplectl run from outside the checkout", async () => {
  const pack = run(["npm", "pack", "--silent", "--pack-destination", base], REPO);
  expect(pack.code).toBe(0);
  const tarball = join(base, pack.out.trim().split("\n").pop()!);
  const prefix = join(base, "prefix");
  // --prefer-offline: npm's cache holds the dependencies here; a fresh machine gets them from the registry.
  const install = run(["npm", "install", "-g", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", tarball], base);
  expect(install.code).toBe(0);
  const bin = join(prefix, "bin");
  const installed = realpathSync(join(prefix, "lib", "node_modules", "purple"));
  // Only what the package.json "files" name went in: the programs, not the tests.
  expect(existsSync(join(installed, "ctl", "main.ts"))).toBe(true);
  expect(existsSync(join(installed, "test"))).toBe(false);

  const proj = project("proj");
  const version = run(["purplectl", "--version"], proj, bin);
  expect(version).toMatchObject({ code: 0, out: "0.1.0\n" });
  // A relative path is the user's, from their working directory.
  const validated = run(["purplectl", "validate", "plans/tiny.yaml"], proj, bin);
  expect(validated.err).toBe("");
  expect(validated.out).toContain("name: tiny");

  await daemonServes(bin, proj);

  const unit = run(["purplectl", "service", "print", "--systemd", "--user"], proj, `${bin}:${join(REPO, "node_modules", ".bin")}:/root/.npm/_npx/abc/node_modules/.bin`);
  expect(unit.code).toBe(0);
  const exec = unit.out.match(/^ExecStart=(.*)$/m)![1]!;
  // purpled runs as the installed Bun on the installed daemon/main.ts: absolute, inside the install.
  expect(exec.split(" ")[0]!.startsWith(installed)).toBe(true);
  expect(exec).toContain(join(installed, "daemon", "main.ts"));
  const pathLine = unit.out.match(/^Environment="PATH=(.*)"$/m)![1]!;
  for (const dir of pathLine.split(":")) {
    expect(dir.startsWith(tmpdir())).toBe(false);
    expect(dir.startsWith("/tmp/")).toBe(false);
    expect(dir).not.toContain("_npx");
    expect(dir).not.toContain("node_modules/.bin");
  }
}, 120_000);

test.skipIf(!noBun)("the layout npm link makes (a symlinked bin into the checkout) runs both programs without bun on PATH", async () => {
  const prefix = join(base, "linked");
  mkdirSync(join(prefix, "lib", "node_modules"), { recursive: true });
  mkdirSync(join(prefix, "bin"));
  symlinkSync(REPO, join(prefix, "lib", "node_modules", "purple"));
  for (const name of ["purpled", "purplectl"]) symlinkSync(`../lib/node_modules/purple/bin/${name}`, join(prefix, "bin", name));
  const bin = join(prefix, "bin");
  const proj = project("linked-proj");
  const validated = run(["purplectl", "validate", "plans/tiny.yaml"], proj, bin);
  expect(validated.err).toBe("");
  expect(validated.out).toContain("name: tiny");
  await daemonServes(bin, proj);
  // The unit names the checkout's real Bun binary, not a link that moves with node_modules/.bin.
  const unit = run(["purplectl", "service", "print", "--systemd", "--user"], proj, bin);
  expect(unit.out).toContain(`ExecStart=${realpathSync(join(REPO, "node_modules", ".bin", "bun"))} `);
  expect(readFileSync(join(REPO, "bin", "purplectl"), "utf8")).toStartWith("#!/bin/sh\n");
  // Where the launchers do not find Bun beside the package, Node resolves the `bun` dependency.
  const fallback = run(["node", join(REPO, "bin", "launch.mjs"), "ctl/main.ts", "validate", "plans/tiny.yaml"], proj);
  expect(fallback.err).toBe("");
  expect(fallback.out).toContain("name: tiny");
}, 60_000);
