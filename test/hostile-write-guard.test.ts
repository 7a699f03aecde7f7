// The anthropic write guard and hard links (issue 14, item 4): a file in the territory that is
// hard-linked to one outside the root is refused, saying why, and the outside file is untouched.
// Run in-process and as an unprivileged user.
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { hardLinkAttack } from "./support/hardlink-attack.ts";
import { runUnprivileged, unprivilegedDir } from "./support/unprivileged.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test("a hard-linked file is refused with the reason, the linked file outside is untouched", () => {
  const dir = unprivilegedDir();
  dirs.push(dir);
  const { result, victim } = hardLinkAttack(dir);
  expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^refused: src\/linked\.txt has 2 hard links/) });
  expect(victim).toBe("untouched\n");
});

test("the same holds for an unprivileged user", () => {
  const dir = unprivilegedDir();
  dirs.push(dir);
  const r = runUnprivileged(join(import.meta.dir, "support", "hardlink-attack.ts"), [dir], dir);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const { result, victim } = JSON.parse(r.stdout);
  expect(result.ok).toBe(false);
  expect(result.reason).toContain("hard links");
  expect(victim).toBe("untouched\n");
});
