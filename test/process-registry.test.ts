// RELIABILITY 26, the restart half: purpled records every group it starts with its identity, and a
// restart kills a left-over group only when it is provably the one recorded (same boot, same start
// time); a pid since reused by an unrelated process is never signalled.
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GroupRegistry, processIdentity, useGroupRegistry } from "../daemon/process/registry.ts";
import { spawnGroup } from "../daemon/process/group.ts";
import { processRunning } from "./support/procs.ts";

const detachedSleep = () => Bun.spawn(["sleep", "300"], { detached: true, stdio: ["ignore", "ignore", "ignore"] });

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 200 && processRunning(pid); i++) await Bun.sleep(10);
  return !processRunning(pid);
}

test("a restart kills a recorded group whose identity matches, and leaves a reused pid alone", async () => {
  const dir = mkdtempSync(join(tmpdir(), "purple-registry-"));
  const ours = detachedSleep();
  const stranger = detachedSleep(); // stands for an unrelated process that got a recorded pid
  try {
    const entries = [
      { pgid: ours.pid, identity: processIdentity(ours.pid), what: "agent" },
      { pgid: stranger.pid, identity: `${processIdentity(stranger.pid)!.split(":")[0]}:1`, what: "an agent of a previous run, long gone" },
    ];
    writeFileSync(join(dir, "groups.json"), JSON.stringify(entries));
    const killed = new GroupRegistry(dir).reapLeftovers();
    expect(killed).toEqual([ours.pid]);
    expect(await gone(ours.pid)).toBe(true);
    expect(processRunning(stranger.pid)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "groups.json"), "utf8"))).toEqual([]);
  } finally {
    ours.kill("SIGKILL");
    stranger.kill("SIGKILL");
  }
});

test("every group spawnGroup starts is recorded with its identity while it runs, and dropped when it ends", async () => {
  const dir = mkdtempSync(join(tmpdir(), "purple-registry-"));
  const registry = new GroupRegistry(dir);
  useGroupRegistry(registry);
  try {
    const group = spawnGroup({ cmd: ["sleep", "0.3"], cwd: dir, env: { PATH: "/usr/bin:/bin" } });
    const recorded = JSON.parse(readFileSync(join(dir, "groups.json"), "utf8")) as { pgid: number; identity: string }[];
    expect(recorded.map((e) => e.pgid)).toEqual([group.pid]);
    expect(recorded[0]!.identity).toBe(processIdentity(group.pid)!);
    await group.exited;
    expect(JSON.parse(readFileSync(join(dir, "groups.json"), "utf8"))).toEqual([]);
  } finally {
    useGroupRegistry(null);
  }
});
