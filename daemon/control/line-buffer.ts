// Framing of the control channel: bytes arrive in arbitrary chunks, requests are lines ending in
// `\n`. The size cap is checked as each chunk arrives, so an endless line costs at most the cap.

/** Splits one connection's byte stream into lines, refusing any line longer than the cap. */
export class LineBuffer {
  /** bytes of the current unterminated line, copied out of the chunks they came in */
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Bytes held for the current unterminated line. */
  get pending(): number {
    return this.size;
  }

  /** Drop what is held (the connection is gone). */
  clear(): void {
    this.parts = [];
    this.size = 0;
  }

  /** Feed one chunk; calls onLine for every complete line (without its `\n`). False once a line is over the cap. */
  push(chunk: Uint8Array, onLine: (line: Uint8Array) => void): boolean {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (this.size + (nl - start) > this.maxLineBytes) return false;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.parts.length === 0) {
        onLine(piece);
      } else {
        this.parts.push(piece);
        const line = Buffer.concat(this.parts, this.size + piece.length);
        this.parts = [];
        this.size = 0;
        onLine(line);
      }
    }
    const rest = chunk.length - start;
    if (rest === 0) return true;
    this.size += rest;
    if (this.size > this.maxLineBytes) return false;
    // The chunk's memory may be reused by the runtime after this call returns: keep a copy.
    this.parts.push(new Uint8Array(chunk.subarray(start))); // (Buffer#slice would not copy)
    return true;
  }
}
