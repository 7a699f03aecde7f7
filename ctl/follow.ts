// Following a growing file (`logs -f`): print what is there, then every byte appended, read from
// the last offset. fs.watch on the file's folder wakes it at once (and sees the file appear);
// a slow poll backs it up where watch events are lost. A file that shrank is read from the start.
// With `tailBytes`, a file already larger than that is followed from its last `tailBytes` only.
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

const POLL_MS = 500;

/** Follows one file until stop(); `write` receives its text in order, never a byte twice. */
export class FileFollower {
  private offset = 0;
  private readonly decoder = new TextDecoder();
  private readonly buf = Buffer.alloc(64 * 1024);
  private watcher: FSWatcher | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly path: string,
    private readonly write: (text: string) => void,
    private readonly tailBytes = Infinity,
  ) {}
  private first = true;

  /** Print the current content and start following. */
  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), POLL_MS);
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    this.watcher = null;
    this.timer = null;
  }

  private tick(): void {
    const dir = dirname(this.path);
    if (!this.watcher && existsSync(dir)) {
      const name = basename(this.path);
      try {
        this.watcher = watch(dir, (_event, file) => {
          if (!file || file === name) this.readMore();
        });
      } catch {
        // the folder went away between the two calls: the next tick tries again
      }
    }
    this.readMore();
  }

  /** Read from the last offset to the end (synchronously, so two wake-ups never interleave). */
  private readMore(): void {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK); // a FIFO never blocks
    } catch {
      return; // not there yet
    }
    try {
      const size = fstatSync(fd).size;
      if (this.first && size > this.tailBytes) this.offset = size - this.tailBytes;
      this.first = false;
      if (size < this.offset) this.offset = 0; // truncated or replaced
      while (this.offset < size) {
        const n = readSync(fd, this.buf, 0, Math.min(this.buf.length, size - this.offset), this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.write(this.decoder.decode(this.buf.subarray(0, n), { stream: true }));
      }
    } finally {
      closeSync(fd);
    }
  }
}
