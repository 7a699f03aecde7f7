// Taking a dropped or submitted plan folder in without trusting it (RELIABILITY 29): only regular
// files and folders are copied, into a fresh folder purpled makes itself; a symlink, FIFO, socket or
// device anywhere inside refuses the whole item with a reason naming it; file count, each file's
// size and the total are capped; everything is read and written with async IO, off the event
// loop's hot path, and never through a link. purpled's own outputs (status/, agents/, ...) are not
// taken from a drop: purpled makes them.
import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Problem } from "../protocol/errors.ts";
import { EARLIER_RUNS, RUN_OUTPUTS } from "../protocol/plan-folder.ts";

export const FOLDER_LIMITS = { files: 2_000, fileBytes: 16 * 1024 * 1024, totalBytes: 64 * 1024 * 1024, depth: 16 };

/** Names purpled writes into O/<plan>/ itself; a dropped copy of them is left behind. */
export const PURPLED_OUTPUTS: ReadonlySet<string> = new Set([...RUN_OUTPUTS, EARLIER_RUNS]);

/** What is wrong with a folder before anything is copied (empty: it may be copied). */
export async function folderProblems(src: string, limits = FOLDER_LIMITS): Promise<Problem[]> {
  const problems: Problem[] = [];
  let files = 0;
  let total = 0;
  const walk = async (rel: string, depth: number): Promise<void> => {
    if (depth > limits.depth) return void problems.push({ path: rel, message: `${rel} is nested deeper than ${limits.depth} folders` });
    for (const name of (await readdir(join(src, rel))).sort()) {
      if (problems.length >= 20) return;
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(src, path));
      if (st.isDirectory()) await walk(path, depth + 1);
      else if (st.isFile()) {
        files++;
        total += st.size;
        if (st.size > limits.fileBytes) problems.push({ path, message: `${path} is ${st.size} bytes, over the cap of ${limits.fileBytes} bytes per file` });
      } else problems.push({ path, message: `${path} is ${kindOf(st)}; a plan folder may hold only regular files and folders, and purpled never follows a link` });
    }
  };
  await walk("", 0);
  if (files > limits.files) problems.push({ path: "", message: `the folder holds ${files} files, over the cap of ${limits.files}` });
  if (total > limits.totalBytes) problems.push({ path: "", message: `the folder holds ${total} bytes, over the cap of ${limits.totalBytes}` });
  return problems;
}

/** Copy the regular files and folders of `src` into `dest` (which must not exist), never following links. */
export async function copyPlanFolder(src: string, dest: string): Promise<void> {
  await mkdir(dest, { mode: 0o755 });
  try {
    await copyInto(src, dest, 0);
  } catch (err) {
    await rm(dest, { recursive: true, force: true });
    throw err;
  }
}

async function copyInto(src: string, dest: string, depth: number): Promise<void> {
  for (const name of await readdir(src)) {
    if (depth === 0 && PURPLED_OUTPUTS.has(name)) continue;
    const from = join(src, name);
    const st = await lstat(from);
    if (st.isDirectory()) {
      await mkdir(join(dest, name), { mode: 0o755 });
      await copyInto(from, join(dest, name), depth + 1);
    } else if (st.isFile()) await copyFile(from, join(dest, name));
    else throw new Error(`${from} is ${kindOf(st)}; it was not copied`);
  }
}

// Open the source without following a link (and without blocking on a FIFO swapped in), create the copy exclusively.
async function copyFile(from: string, to: string): Promise<void> {
  const src = await open(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await src.stat()).isFile()) throw new Error(`${from} is no longer a regular file; it was not copied`);
    const dst = await open(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      const buf = Buffer.alloc(256 * 1024);
      let copied = 0;
      for (;;) {
        const { bytesRead } = await src.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        copied += bytesRead;
        if (copied > FOLDER_LIMITS.fileBytes) throw new Error(`${from} grew past ${FOLDER_LIMITS.fileBytes} bytes while it was copied`);
        await dst.write(buf, 0, bytesRead);
      }
      await dst.sync();
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

function kindOf(st: { isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  return "a device or special file";
}
