// Disk full, for real: the project lives on a small tmpfs that is filled up while an agent runs.
// purpled keeps serving, says it is degraded, leaves its old files intact, and carries on once
// space returns. Needs root to mount a tmpfs; skipped (saying so) where that is not possible.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DaemonInfo, PlanStatus } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir } from "./support/daemon.ts";
import { dropPlan, expectValid, readJson } from "./support/files.ts";
import { TestRpc } from "./support/rpc.ts";

const mnt = mkdtempSync(join(tmpdir(), "purple-full-"));
const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt]).exitCode === 0;
if (!mounted) console.warn("disk-full test skipped: cannot mount a tmpfs here (needs root)");
afterAll(() => {
  if (mounted) Bun.spawnSync(["umount", "-l", mnt]);
});

test.skipIf(!mounted)("disk full: purpled stays up, shows degraded, old files intact; it recovers when space returns", async () => {
  const root = join(mnt, "project");
  mkdirSync(root);
  Bun.spawnSync(["git", "init", "-q", "-b", "main"], { cwd: root });
  const ctl = mkdtempSync(join(tmpdir(), "purple-full-ctl-"));
  const d = new DaemonProcess(root);
  try {
    await d.started();
    const info = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
    const rpc = await TestRpc.connect(info.socket);
    const dir = dropPlan(root, {
      apiVersion: "purple/v1",
      name: "roomy",
      defaults: { runner: "command", retries: 3 },
      agents: [{ id: "a", territory: ["out/"], runner: { kind: "command", command: ["bash", "-c", `touch ${ctl}/started; while [ ! -f ${ctl}/go ]; do sleep 0.05; done; mkdir -p out && echo ok > out/x`] } }],
      waves: [{ id: "w", agents: ["a"] }],
    });
    for (let i = 0; i < 300 && !existsSync(join(ctl, "started")); i++) await Bun.sleep(20); // the agent is up
    const before = readFileSync(join(dir, "status.json"), "utf8");
    expectValid(PlanStatus, JSON.parse(before), "status.json before");

    // Fill the disk (outside the project, so nothing is blamed on the agent), then let the agent finish.
    Bun.spawnSync(["dd", "if=/dev/zero", `of=${join(mnt, "filler")}`, "bs=1M", "count=64"], { stderr: "ignore" });
    writeFileSync(join(ctl, "go"), "");
    let degraded = false;
    for (let i = 0; i < 200 && !degraded; i++) {
      degraded = (await rpc.call("daemon.status")).degraded === true;
      if (!degraded) await Bun.sleep(25);
    }
    expect(degraded).toBe(true);
    expect(d.proc.exitCode).toBeNull(); // no crash
    expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json while the disk is full"); // old file intact

    rmSync(join(mnt, "filler"));
    expect((await d.planEnded("roomy", 30_000)).state).toBe("succeeded");
    expect((await rpc.call("daemon.status")).degraded).toBe(false);
    expect(readFileSync(join(root, "out", "x"), "utf8")).toBe("ok\n");
    rpc.close();
  } finally {
    if (d.proc.exitCode === null) await d.stop("SIGKILL");
  }
}, 60_000);
