// Binding the control socket safely (SPEC §8, RELIABILITY 9–11): a private directory, a socket
// that is 0600 from birth, a stale socket replaced, and never a live socket or anything that is
// not a socket removed. The socket is bound under a temporary name and hard-linked into place,
// so two daemons racing for one path cannot both win, and so the runtime's own unlink at stop
// (Bun removes the path it listened on, whoever's file is there now) only ever hits the temp name.
import { chmodSync, linkSync, lstatSync, mkdirSync, renameSync, statSync, unlinkSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { PurpleError } from "../../protocol/errors.ts";
import { SOCKET_PATH_LIMIT } from "../../protocol/socket-path.ts";

/** Which file a path named when we bound it: unlink only while it still is that one. */
export interface FileId {
  dev: number;
  ino: number;
}

const PROBE_TIMEOUT_MS = 1000;
const PROBE_REFUSALS = 3;
const PROBE_RETRY_MS = 50;

/** Bind `listen` at `path` safely; returns the listener and the socket file's identity. */
export async function bindSocket<L extends { stop(closeActive?: boolean): void }>(path: string, listen: (at: string) => L): Promise<{ listener: L; id: FileId }> {
  if (Buffer.byteLength(path) > SOCKET_PATH_LIMIT) throw new PurpleError("IO_ERROR", `socket path ${path} is ${Buffer.byteLength(path)} bytes, over the ${SOCKET_PATH_LIMIT}-byte limit of a Unix socket path; choose a shorter one`);
  const dir = dirname(path);
  preparePrivateDir(dir);
  for (let attempt = 0; attempt < 5; attempt++) {
    await clearPath(path);
    const tmp = join(dir, `.p${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`);
    const previous = process.umask(0o177); // bind(2) creates the socket file: born 0600, never group- or world-connectable
    let listener: L;
    try {
      listener = listen(tmp);
    } catch (err) {
      throw new PurpleError("IO_ERROR", `cannot listen on ${tmp}: ${(err as Error).message}`, { cause: err });
    } finally {
      process.umask(previous);
    }
    try {
      chmodSync(tmp, 0o600);
      const st = lstatSync(tmp);
      linkSync(tmp, path);
      return { listener, id: { dev: st.dev, ino: st.ino } };
    } catch (err) {
      listener.stop(true);
      if (errno(err) !== "EEXIST") throw new PurpleError("IO_ERROR", `cannot place the socket at ${path}: ${(err as Error).message}`, { cause: err });
      // Another process bound the path between our check and our link: look again.
    } finally {
      try { unlinkSync(tmp); } catch {}
    }
  }
  throw new PurpleError("ALREADY_RUNNING", `could not bind ${path}: it keeps changing hands; is another purpled starting?`);
}

/** Remove the socket file if it is still the one we bound (another daemon may own the path now). */
export function unlinkIfOurs(path: string, id: FileId): boolean {
  try {
    const st = lstatSync(path);
    if (!st.isSocket() || st.dev !== id.dev || st.ino !== id.ino) return false;
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Create the socket's directory 0700, or check the existing one. purple's own directories
 * (`.purple`, `purple`, `purple-$UID`) must be real directories we own and are made 0700;
 * any other directory (a `--socket` somewhere else) is used as it is.
 */
function preparePrivateDir(dir: string): void {
  const uid = process.getuid?.() ?? 0;
  const ours = [".purple", "purple", `purple-${uid}`].includes(basename(dir));
  let st: Stats;
  try {
    st = ours ? lstatSync(dir) : statSync(dir);
  } catch (err) {
    if (errno(err) !== "ENOENT") throw new PurpleError("IO_ERROR", `cannot inspect the socket directory ${dir}: ${(err as Error).message}`, { cause: err });
    const previous = process.umask(0o077);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    } catch (mkErr) {
      throw new PurpleError("IO_ERROR", `cannot create the socket directory ${dir}: ${(mkErr as Error).message}`, { cause: mkErr });
    } finally {
      process.umask(previous);
    }
    return;
  }
  if (!st.isDirectory()) throw new PurpleError("IO_ERROR", `the socket directory ${dir} is ${describe(st)}, not a directory; remove it or choose another socket path`);
  if (!ours) return;
  if (st.uid !== uid) throw new PurpleError("IO_ERROR", `the socket directory ${dir} belongs to uid ${st.uid}, not to us (uid ${uid}); someone else may be able to replace the socket: remove it or choose another socket path`);
  if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

/** Make the path free to bind: nothing there, or a stale socket removed. Anything else refuses. */
async function clearPath(path: string): Promise<void> {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (err) {
    if (errno(err) === "ENOENT") return;
    throw new PurpleError("IO_ERROR", `cannot inspect ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!st.isSocket()) {
    const what = describe(st);
    const fix = st.isSymbolicLink() ? "purpled neither follows nor removes it; remove it yourself if it is stale" : "remove it if it is stale, or choose another socket path";
    throw new PurpleError("IO_ERROR", `${path} is ${what}, not a socket; ${fix}`);
  }
  if (await probe(path)) throw new PurpleError("ALREADY_RUNNING", `a live purpled already listens on ${path}; stop it first (purplectl stop) or use another socket path`);
  removeStale(path, st);
}

/**
 * Is something listening on the socket? Connected, or still connecting, means live; ENOENT means
 * gone. A refusal is asked again: Bun reports a full listen queue (EAGAIN) as ECONNREFUSED too,
 * and a live daemon's queue empties within milliseconds, while a dead one refuses every time.
 */
async function probe(path: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const answer = await connectOnce(path);
    if (answer !== "ECONNREFUSED" || attempt === PROBE_REFUSALS) return answer === "live";
    await Bun.sleep(PROBE_RETRY_MS);
  }
}

async function connectOnce(path: string): Promise<"live" | "ECONNREFUSED" | "ENOENT"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), PROBE_TIMEOUT_MS)));
  const connecting = Bun.connect({ unix: path, socket: { data() {}, connectError() {} } });
  try {
    const result = await Promise.race([connecting, timeout]);
    if (result === "timeout") connecting.then((s) => s.end(), () => {});
    else result.end();
    return "live";
  } catch (err) {
    const code = errno(err);
    if (code === "ECONNREFUSED" || code === "ENOENT") return code;
    throw new PurpleError("IO_ERROR", `cannot tell whether ${path} is in use (${code ?? (err as Error).message}); remove it if no purpled runs`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** Move the stale socket aside and delete it, unless what moved is no longer the file we probed. */
function removeStale(path: string, probed: Stats): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if (errno(err) === "ENOENT") return; // someone else removed it already
    throw new PurpleError("IO_ERROR", `cannot remove the stale socket ${path}: ${(err as Error).message}`, { cause: err });
  }
  const moved = lstatSync(aside);
  if (moved.dev !== probed.dev || moved.ino !== probed.ino) {
    // A new daemon bound the path after our probe: put its socket back and let the caller look again.
    try { linkSync(aside, path); } catch {}
  }
  try { unlinkSync(aside); } catch {}
}

function describe(st: Stats): string {
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.isFile()) return "a regular file";
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  return "something else";
}

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;
