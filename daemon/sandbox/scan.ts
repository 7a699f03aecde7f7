// Reading a changeset out of an overlayfs upper layer. Everything a sandboxed process changed in
// the project lands there: new and edited files (whole copies), new directories, symlinks, special
// files, deletes as whiteouts (character devices 0:0), and directories that replaced the project's
// own as "opaque" (user.overlay.opaque=y: nothing below them in the project survives). A file that
// was only copied up (opened for writing, chmod to the same mode, a hard link made to it) but ends
// identical to the project's is no change.
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from "node:fs";
import { join } from "node:path";
import type { Change } from "../../protocol/changeset.ts";
import { isOpaqueDir } from "./xattr.ts";

const PERMS = 0o7777;

/** Every change recorded in `upper` relative to the project at `root`, parents before children. */
export function scanUpper(upper: string, root: string): Change[] {
  const out: Change[] = [];
  walk(upper, root, "", true, out);
  return out;
}

// `lowerIsDir`: the project has a real directory at `rel` (so its entries can be compared).
function walk(upper: string, root: string, rel: string, lowerIsDir: boolean, out: Change[]): void {
  const dir = join(upper, rel);
  const names = readdirSync(dir).sort();
  if (lowerIsDir && rel !== "" && isOpaqueDir(dir)) {
    // The directory was deleted and made again: whatever the project has below it and the layer does not, is deleted.
    const kept = new Set(names);
    for (const name of lowerNames(join(root, rel))) {
      if (!kept.has(name)) out.push(deletion(root, join(rel, name)));
    }
  }
  for (const name of names) {
    const path = rel === "" ? name : `${rel}/${name}`;
    const st = lstatSync(join(upper, path));
    const lower = lowerIsDir ? lstatOrNull(join(root, path)) : null;
    if (st.isCharacterDevice() && st.rdev === 0) {
      if (lower) out.push(deletion(root, path, lower));
      continue;
    }
    if (st.isDirectory()) {
      if (!lower?.isDirectory()) out.push(replacing({ path, kind: "dir", mode: st.mode & PERMS }, root, path, lower));
      else if ((lower.mode & PERMS) !== (st.mode & PERMS)) out.push({ path, kind: "dir", mode: st.mode & PERMS, modeOnly: true });
      walk(upper, root, path, lower?.isDirectory() ?? false, out);
      continue;
    }
    if (st.isFile()) {
      if (lower?.isFile() && (lower.mode & PERMS) === (st.mode & PERMS) && sameContent(join(upper, path), join(root, path), st, lower)) continue;
      out.push(replacing({ path, kind: "file", mode: st.mode & PERMS, size: st.size }, root, path, lower));
      continue;
    }
    if (st.isSymbolicLink()) {
      const target = readlinkSync(join(upper, path));
      if (lower?.isSymbolicLink() && readlinkSync(join(root, path)) === target) continue;
      out.push(replacing({ path, kind: "symlink", target }, root, path, lower));
      continue;
    }
    out.push({ path, kind: "special", mode: st.mode & PERMS });
  }
}

// A change at `path` that takes the place of something else there: a directory it replaces goes with it.
function replacing(change: Change, root: string, path: string, lower: Stats | null): Change {
  if (lower?.isDirectory()) return { ...change, removes: subtree(root, path) };
  if (lower && change.kind === "dir") return { ...change, removes: [path] };
  return change;
}

function deletion(root: string, path: string, lower = lstatOrNull(join(root, path))): Change {
  return { path, kind: "delete", removes: lower?.isDirectory() ? subtree(root, path) : [path] };
}

/** `path` and everything below it in the project (directories included), never following symlinks. */
function subtree(root: string, path: string): string[] {
  const out = [path];
  for (const name of lowerNames(join(root, path))) {
    const child = `${path}/${name}`;
    if (lstatOrNull(join(root, child))?.isDirectory()) out.push(...subtree(root, child));
    else out.push(child);
  }
  return out;
}

function lowerNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

// Byte-for-byte comparison, 64 KB at a time; unreadable counts as different.
function sameContent(a: string, b: string, sa: Stats, sb: Stats): boolean {
  if (sa.size !== sb.size) return false;
  if (sa.dev === sb.dev && sa.ino === sb.ino) return true;
  let fa = -1, fb = -1;
  try {
    fa = openSync(a, "r");
    fb = openSync(b, "r");
    const ba = Buffer.allocUnsafe(65536), bb = Buffer.allocUnsafe(65536);
    for (;;) {
      const na = readSync(fa, ba, 0, ba.length, null);
      const nb = readSync(fb, bb, 0, bb.length, null);
      if (na !== nb) return false;
      if (na === 0) return true;
      if (ba.compare(bb, 0, nb, 0, na) !== 0) return false;
    }
  } catch {
    return false;
  } finally {
    if (fa >= 0) closeSync(fa);
    if (fb >= 0) closeSync(fb);
  }
}
