// checkTerritoriesOnDisk: a symlink along a territory's literal path that leads out of the root is refused.
import { expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { checkTerritoriesOnDisk, isInside } from "../inbox/check-territory-fs.ts";
import { Plan } from "../protocol/plan.ts";
import { agent, oneWave, tempRoot } from "./inbox-fixtures.ts";

const planWith = (...territories: string[][]) => Plan.parse(oneWave(territories.map((t, i) => agent(`a${i}`, t))));

test("a symlink inside a territory's path pointing outside the root is a problem", async () => {
  const root = tempRoot();
  const outside = tempRoot();
  mkdirSync(join(root, "src"));
  symlinkSync(outside, join(root, "src", "evil"));
  const problems = await checkTerritoriesOnDisk(planWith(["src/ok/"], ["src/evil/**/*.ts"]), root);
  expect(problems).toEqual([{ path: "agents.1.territory.0", message: expect.stringContaining('symlink "src/evil" points outside the project root') }]);
});

test("a territory that is itself a symlink to a file outside is a problem, and a dangling one too", async () => {
  const root = tempRoot();
  symlinkSync("/etc/passwd", join(root, "passwd.txt"));
  symlinkSync("../../nowhere/at/all", join(root, "dangling"));
  const problems = await checkTerritoriesOnDisk(planWith(["passwd.txt"], ["dangling/x"]), root);
  expect(problems.map((p) => p.path)).toEqual(["agents.0.territory.0", "agents.1.territory.0"]);
});

test("symlinks that stay inside the root, missing paths and glob segments are fine", async () => {
  const root = tempRoot();
  mkdirSync(join(root, "lib", "real"), { recursive: true });
  symlinkSync(join(root, "lib", "real"), join(root, "lib", "alias"));
  symlinkSync("real", join(root, "lib", "relative"));
  expect(await checkTerritoriesOnDisk(planWith(["lib/alias/"], ["lib/relative/x.ts"], ["not/there/yet/"], ["*/evil"]), root)).toEqual([]);
});

test("a root reached through a symlink is compared by its real path", async () => {
  const real = tempRoot();
  const link = join(tempRoot(), "root-link");
  symlinkSync(real, link);
  mkdirSync(join(real, "src"));
  symlinkSync(join(real, "src"), join(real, "alias"));
  expect(await checkTerritoriesOnDisk(planWith(["alias/"]), link)).toEqual([]);
});

test("isInside decides by path.relative: /root-evil is not inside /root", () => {
  expect(isInside("/r/root", "/r/root/a")).toBe(true);
  expect(isInside("/r/root", "/r/root")).toBe(true);
  expect(isInside("/r/root", "/r/root-evil/a")).toBe(false);
  expect(isInside("/r/root", "/r")).toBe(false);
  expect(isInside("/r/root", "/r/root/..foo")).toBe(true);
});
