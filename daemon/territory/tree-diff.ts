// Reading git's raw tree diff: which paths changed between two snapshots, and how.

/** One changed path between two trees. */
export interface TreeChange {
  status: "A" | "D" | "M" | "T";
  /** root-relative, forward slashes (decoded as UTF-8) */
  path: string;
  /** the path's exact bytes, for handing back to git and the file system */
  raw: Uint8Array;
  /** git modes: 100644, 100755, 120000 (link), 160000 (nested repository), 000000 (absent) */
  oldMode: string;
  newMode: string;
}

export const GITLINK = "160000";

/** Parse `git diff-tree -r -z --raw` output: ":old new oldsha newsha S\0path\0" records. */
export function parseRawDiff(out: Uint8Array): TreeChange[] {
  const decoder = new TextDecoder();
  const changes: TreeChange[] = [];
  let i = 0;
  while (i < out.length) {
    const metaEnd = out.indexOf(0, i);
    const pathEnd = out.indexOf(0, metaEnd + 1);
    if (metaEnd < 0 || pathEnd < 0) break;
    const meta = decoder.decode(out.subarray(i, metaEnd)).slice(1).split(" ");
    const raw = out.slice(metaEnd + 1, pathEnd);
    const status = (meta[4] ?? "M").charAt(0) as TreeChange["status"];
    changes.push({ status, path: decoder.decode(raw), raw, oldMode: meta[0] ?? "", newMode: meta[1] ?? "" });
    i = pathEnd + 1;
  }
  return changes;
}
