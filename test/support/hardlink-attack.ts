// The hard-link attack on the anthropic write guard, as a script (run as an unprivileged user by
// test/hostile-write-guard.test.ts): a file inside the territory hard-linked to one outside the root.
// Prints {result, victim} as JSON.
import { linkSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { guardedWrite } from "../../daemon/runners/anthropic/write-guard.ts";

export function hardLinkAttack(dir: string): { result: ReturnType<typeof guardedWrite>; victim: string } {
  const root = join(dir, "project");
  mkdirSync(join(root, "src"), { recursive: true });
  writeFileSync(join(dir, "victim.txt"), "untouched\n");
  linkSync(join(dir, "victim.txt"), join(root, "src/linked.txt"));
  const result = guardedWrite({ root, territory: ["src/"] }, "src/linked.txt", "overwritten\n");
  return { result, victim: readFileSync(join(dir, "victim.txt"), "utf8") };
}

if (import.meta.main) console.log(JSON.stringify(hardLinkAttack(process.argv[2]!)));
