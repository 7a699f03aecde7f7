// Keeping only the end of a process's output: gates and failure messages need the tail, not megabytes.

/** The last `maxKB` kilobytes (counted in UTF-16 code units) of everything pushed. */
export interface TailBuffer {
  push(chunk: string): void;
  /** the kept tail; starts mid-line when older output was dropped */
  text(): string;
  /** true once something was dropped from the front */
  readonly truncated: boolean;
}

/** A TailBuffer keeping the last `maxKB` KB of output. */
export function tailBuffer(maxKB: number): TailBuffer {
  const limit = Math.max(1, Math.floor(maxKB * 1024));
  let buf = "";
  let truncated = false;
  return {
    push(chunk: string) {
      buf += chunk;
      // Trim only once the buffer is twice the limit, so appends stay amortized O(1).
      if (buf.length > 2 * limit) {
        buf = buf.slice(buf.length - limit);
        truncated = true;
      }
    },
    text() {
      if (buf.length <= limit) return buf;
      truncated = true;
      buf = buf.slice(buf.length - limit);
      return buf;
    },
    get truncated() {
      return truncated || buf.length > limit;
    },
  };
}
