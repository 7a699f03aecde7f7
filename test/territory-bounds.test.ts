// Audit storage is bounded (issue 14, item 2): the quarantine by age and size (a huge created file
// is deleted, not kept), and the private object store is pruned of old snapshots once it is large,
// keeping the baseline so that a later revert still works.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TreeAuditor } from "../daemon/territory/audit.ts";
import { pruneQuarantine, quarantine, quarantineBatch } from "../daemon/territory/quarantine.ts";
import { ShadowGit } from "../daemon/territory/shadow-git.ts";

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  temps.push(d);
  return d;
};

test("the quarantine drops batches past their age, then the oldest until under its size cap", () => {
  const dir = temp("purple-q-");
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < 5; i++) {
    const batch = quarantineBatch(dir, new Date(t0 + i * 60_000));
    mkdirSync(batch);
    writeFileSync(join(batch, "f"), "x".repeat(1000));
  }
  const old = quarantineBatch(dir, new Date(t0 - 10 * 86_400_000));
  mkdirSync(old);
  writeFileSync(join(old, "f"), "x");
  utimesSync(old, new Date(t0 - 10 * 86_400_000), new Date(t0 - 10 * 86_400_000));
  pruneQuarantine(dir, 7 * 86_400_000, t0 + 10 * 60_000, 2500);
  const left = readdirSync(dir).sort();
  expect(left).toEqual([quarantineBatch(dir, new Date(t0 + 3 * 60_000)), quarantineBatch(dir, new Date(t0 + 4 * 60_000))].map((p) => p.slice(dir.length + 1)));
});

test("a created file over the per-file cap is deleted instead of quarantined", () => {
  const root = temp("purple-qr-");
  const dir = temp("purple-qd-");
  writeFileSync(join(root, "big.bin"), "x".repeat(5000));
  writeFileSync(join(root, "small.txt"), "x");
  const batch = quarantineBatch(dir);
  quarantine(root, batch, Buffer.from("big.bin"), 4096);
  quarantine(root, batch, Buffer.from("small.txt"), 4096);
  expect(existsSync(join(root, "big.bin"))).toBe(false);
  expect(existsSync(join(batch, "big.bin"))).toBe(false);
  expect(readFileSync(join(batch, "small.txt"), "utf8")).toBe("x");
});

test("old snapshots are pruned from the private store once it is large; the baseline still restores", async () => {
  const root = temp("purple-prune-");
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "keep.txt"), "baseline\n");
  const state = join(root, ".context-kit/orchestration/.purple/audit");
  const audit = await TreeAuditor.open(root, state);
  // 20 versions of a 64 kB file, each snapshotted while an agent owns src/
  for (let i = 0; i < 20; i++) {
    writeFileSync(join(root, "src/data.bin"), crypto.getRandomValues(new Uint8Array(64 * 1024)));
    await audit.checkpoint([{ agent: "a", territory: ["src/"] }]);
  }
  const git = await ShadowGit.open(root, state);
  const loose = async () => Number(/^count: (\d+)$/m.exec(new TextDecoder().decode((await git.run(["count-objects", "-v"])).stdout))![1]);
  const before = await loose();
  expect(before).toBeGreaterThanOrEqual(20);
  await git.pruneIfLarge(audit.baseline, 5, 1024);
  expect(await loose()).toBeLessThan(before / 2);
  // the baseline survived: a trespass on keep.txt is still put back
  writeFileSync(join(root, "keep.txt"), "trespass\n");
  const r = await audit.checkpoint([{ agent: "a", territory: ["src/"] }]);
  expect(r.violations.map((v) => v.path)).toEqual(["keep.txt"]);
  expect(readFileSync(join(root, "keep.txt"), "utf8")).toBe("baseline\n");
});
