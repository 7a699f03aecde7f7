// output.log is written by the agent's own process (its stdout and stderr point straight at the
// file), so nothing in purpled sees the bytes go by: a looping agent made it 1 GiB. While the agent
// runs, the file's size is looked at every CHECK_MS; past OUTPUT_LOG_MAX_BYTES the last
// OUTPUT_LOG_KEEP_BYTES are moved to the front behind a line saying how much was cut, and the file
// is truncated. The agent opened it O_APPEND, so its next write lands at the new end. All of this
// is async IO in 1 MiB steps: the event loop never waits on it and no large buffer is held.
//
// Limits: the file can pass the cap by what the agent writes within one CHECK_MS; bytes written in
// the instant between the last copy and the truncate are lost (the cut line is there either way).
import { constants } from "node:fs";
import { open } from "node:fs/promises";

export const OUTPUT_LOG_MAX_BYTES = 32 * 1024 * 1024;
export const OUTPUT_LOG_KEEP_BYTES = 8 * 1024 * 1024;
const CHECK_MS = 250;
const STEP = 1024 * 1024;

/** Keeps one output.log under its cap until stop(); stop() does one last check. */
export class OutputLogCap {
  private timer: ReturnType<typeof setInterval> | null = null;
  private busy: Promise<void> | null = null;
  /** bytes cut so far, over all trims */
  cut = 0;

  constructor(
    private readonly file: string,
    private readonly maxBytes = OUTPUT_LOG_MAX_BYTES,
    private readonly keepBytes = OUTPUT_LOG_KEEP_BYTES,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.check();
  }

  /** Trim once if the file is over the cap (never two trims at once). */
  check(): Promise<void> {
    this.busy ??= this.trim()
      .catch(() => {
        // a log that cannot be trimmed must not fail the agent; the next check tries again
      })
      .finally(() => (this.busy = null));
    return this.busy;
  }

  private async trim(): Promise<void> {
    const fh = await open(this.file, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = await fh.stat();
      if (!st.isFile() || st.size <= this.maxBytes) return;
      let end = st.size;
      const from = end - this.keepBytes;
      this.cut += from;
      const note = Buffer.from(`purple: [output.log cut here: ${this.cut} earlier bytes dropped in all; the last ${this.keepBytes} bytes follow]\n`);
      await fh.write(note, 0, note.length, 0);
      let to = note.length;
      const buf = Buffer.alloc(STEP);
      // Copy forwards (the destination is always before the source); pick up what arrived meanwhile.
      for (let at = from; ; ) {
        while (at < end) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(STEP, end - at), at);
          if (bytesRead === 0) break;
          await fh.write(buf, 0, bytesRead, to);
          at += bytesRead;
          to += bytesRead;
        }
        const now = (await fh.stat()).size;
        if (now <= end) break;
        end = now;
      }
      await fh.truncate(to);
    } finally {
      await fh.close();
    }
  }
}
