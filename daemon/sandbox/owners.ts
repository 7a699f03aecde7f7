// An unprivileged purpled maps only its own uid and gid into the sandbox's user namespace. The
// kernel cannot copy up a file owned by anyone else into the view (EOVERFLOW, "Value too large for
// defined data type"), so an agent could read such a file but never change it. Say so before the
// agent starts, naming the files of its territory this affects, instead of leaving it to guess.
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { territoryOf } from "../../protocol/territory.ts";

const MAX_ENTRIES = 20_000;
const MAX_NAMED = 10;

/** Files and folders in the territory owned by another uid or gid than purpled's (at most a few named). */
export function foreignOwned(root: string, territory: readonly string[], uid: number, gid: number): string[] {
  const t = territoryOf(territory);
  const found: string[] = [];
  let seen = 0;
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(rel === "" ? root : join(root, rel));
    } catch {
      return;
    }
    for (const name of names) {
      if (found.length >= MAX_NAMED || ++seen > MAX_ENTRIES) return;
      if (name === ".git" || (rel === "" && name === ".context-kit")) continue;
      const path = rel === "" ? name : `${rel}/${name}`;
      let st;
      try {
        st = lstatSync(join(root, path));
      } catch {
        continue;
      }
      if (t.covers(path) && (st.uid !== uid || st.gid !== gid)) found.push(path);
      if (st.isDirectory()) walk(path);
    }
  };
  walk("");
  return found;
}

/** The warning for an unprivileged purpled, or null when nothing in the territory is affected. */
export function foreignOwnedWarning(root: string, territory: readonly string[]): string | null {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return null;
  const files = foreignOwned(root, territory, uid, process.getgid?.() ?? 0);
  if (files.length === 0) return null;
  return (
    `purple: these paths of the territory belong to another user or group, and an unprivileged purpled cannot let an agent change them ` +
    `(the sandbox's copy-on-write view fails with EOVERFLOW, "Value too large for defined data type"): ${files.join(", ")}` +
    `${files.length >= MAX_NAMED ? ", ..." : ""}. Give them to uid ${uid} (chown) or run purpled as their owner.`
  );
}
