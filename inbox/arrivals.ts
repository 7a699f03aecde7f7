// How an inbox item arrived, in the kernel's own words. An item renamed into the inbox (an atomic
// drop, `purplectl submit`, plan.submit) is complete the moment it appears and can be read at once;
// one created in place may still be filling up and must be waited out. fs.watch (and so chokidar)
// calls both "rename", so on Linux a second inotify watch on O/inbox, read through bun:ffi, tells
// IN_MOVED_TO from IN_CREATE/IN_MODIFY. Where that is unavailable every item is "unknown" and is
// waited out as before: the probe only ever makes pick-up faster, never less careful.

/** renamed: moved in whole and not written since; written: created or modified in place; unknown: no record. */
export type Arrival = "renamed" | "written" | "unknown";

export interface ArrivalProbe {
  /** How `name` last arrived, as far as the events seen so far tell; the record is consumed. */
  take(name: string): Arrival;
  close(): void;
}

const NO_PROBE: ArrivalProbe = { take: () => "unknown", close: () => {} };

// <sys/inotify.h>
const IN_MODIFY = 0x2, IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_Q_OVERFLOW = 0x4000;
const IN_NONBLOCK = 0o4000, IN_CLOEXEC = 0o2000000;
const EVENT_HEADER = 16; // wd, mask, cookie, len (4 × u32), then len bytes of NUL-padded name
const BUFFER_BYTES = 64 * 1024;
// Records kept at most: a flood of names nobody processes must not grow without bound.
const MAX_RECORDS = 10_000;

interface Libc {
  inotify_init1(flags: number): number;
  inotify_add_watch(fd: number, path: Uint8Array, mask: number): number;
  read(fd: number, buf: unknown, len: number): number | bigint;
  close(fd: number): number;
}

let libc: { symbols: Libc; ptr: (buf: Uint8Array) => unknown } | null | undefined;

// bun:ffi is loaded only on Linux and only once; any failure (no glibc, no FFI) means no probe.
async function loadLibc(): Promise<typeof libc> {
  if (libc !== undefined) return libc;
  libc = null;
  if (process.platform !== "linux" || typeof Bun === "undefined") return libc;
  try {
    const { dlopen, FFIType, ptr } = await import("bun:ffi");
    const lib = dlopen("libc.so.6", {
      inotify_init1: { args: [FFIType.i32], returns: FFIType.i32 },
      inotify_add_watch: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
      read: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64_fast },
      close: { args: [FFIType.i32], returns: FFIType.i32 },
    });
    libc = { symbols: lib.symbols as unknown as Libc, ptr: (buf) => ptr(buf) };
  } catch {
    libc = null;
  }
  return libc;
}

/** A probe on directory `dir` (O/inbox); a probe that knows nothing when inotify cannot be had. */
export async function openArrivalProbe(dir: string): Promise<ArrivalProbe> {
  const c = await loadLibc();
  if (!c) return NO_PROBE;
  const fd = c.symbols.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return NO_PROBE;
  if (c.symbols.inotify_add_watch(fd, new TextEncoder().encode(`${dir}\0`), IN_MOVED_TO | IN_CREATE | IN_MODIFY) < 0) {
    c.symbols.close(fd);
    return NO_PROBE;
  }
  return new InotifyProbe(c, fd);
}

class InotifyProbe implements ArrivalProbe {
  private readonly records = new Map<string, Arrival>();
  private readonly buf = new Uint8Array(BUFFER_BYTES);
  private readonly view = new DataView(this.buf.buffer);
  private readonly decoder = new TextDecoder();
  private fd: number;

  constructor(private readonly c: NonNullable<typeof libc>, fd: number) {
    this.fd = fd;
  }

  take(name: string): Arrival {
    this.drain();
    const arrival = this.records.get(name) ?? "unknown";
    this.records.delete(name);
    return arrival;
  }

  close(): void {
    if (this.fd >= 0) this.c.symbols.close(this.fd);
    this.fd = -1;
    this.records.clear();
  }

  // Read every queued event (the fd never blocks); the last event for a name decides.
  private drain(): void {
    while (this.fd >= 0) {
      const n = Number(this.c.symbols.read(this.fd, this.c.ptr(this.buf), BUFFER_BYTES));
      if (n <= 0) return;
      for (let off = 0; off + EVENT_HEADER <= n; ) {
        const mask = this.view.getUint32(off + 4, true);
        const len = this.view.getUint32(off + 12, true);
        if (mask & IN_Q_OVERFLOW) this.records.clear(); // events were lost: nothing is known
        else if (len > 0) {
          const raw = this.buf.subarray(off + EVENT_HEADER, off + EVENT_HEADER + len);
          const end = raw.indexOf(0);
          this.record(this.decoder.decode(end < 0 ? raw : raw.subarray(0, end)), mask & IN_MOVED_TO ? "renamed" : "written");
        }
        off += EVENT_HEADER + len;
      }
    }
  }

  private record(name: string, arrival: Arrival): void {
    this.records.delete(name);
    if (this.records.size >= MAX_RECORDS) this.records.delete(this.records.keys().next().value!);
    this.records.set(name, arrival);
  }
}
