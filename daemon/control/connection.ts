// One client connection: its read framing, its write queue under backpressure, its
// subscriptions and its last activity. A client that stops reading is cut off at a bound
// instead of growing the daemon's memory; every byte held is also counted in the server's budget.
import type { Socket } from "bun";
import type { Logger } from "../../lib/logger.ts";
import type { ByteBudget } from "./budget.ts";
import type { Peer } from "./dispatch.ts";
import { LineBuffer } from "./line-buffer.ts";

/** A connection's lifecycle: open → closing (a last reply is flushing) → closed. */
type ConnState = "open" | "closing" | "closed";

/** Per-connection state, kept as the Bun socket's `data`. */
export class Connection implements Peer {
  readonly lines: LineBuffer;
  inflight = 0;
  lastActive = performance.now();
  /** the peer half-closed: finish once nothing is left to answer */
  peerEnded = false;
  private state: ConnState = "open";
  private subscriptions: (() => void)[] = [];
  private queue: Uint8Array[] = [];
  private queued = 0;

  constructor(
    private readonly socket: Socket<Connection>,
    maxRequestBytes: number,
    private readonly maxPendingBytes: number,
    private readonly logger: Logger,
    private readonly budget?: ByteBudget,
  ) {
    this.lines = new LineBuffer(maxRequestBytes);
  }

  /** Bytes this connection holds: its partial request line and its unsent replies. */
  get held(): number {
    return this.lines.pending + this.queued;
  }

  /** Nothing in flight, nothing buffered, no stream: closing it loses nothing. */
  get idle(): boolean {
    return this.state === "open" && this.inflight === 0 && this.subscriptions.length === 0 && this.held === 0;
  }

  /** Feed received bytes to the line framing (counted in the budget); false once a line is over its cap. */
  receive(chunk: Uint8Array, onLine: (line: Uint8Array) => void): boolean {
    const before = this.lines.pending;
    const fits = this.lines.push(chunk, onLine);
    if (!fits) this.lines.clear(); // the connection is closed for it: hold none of it
    this.budget?.add(this.lines.pending - before);
    return fits;
  }

  get open(): boolean {
    return this.state === "open";
  }

  get subscribed(): boolean {
    return this.subscriptions.length > 0;
  }

  /** Write a line now, or queue what the socket cannot take yet; drop a client that lets too much pile up. */
  send(line: string): void {
    if (this.state !== "open") return;
    if (this.queue.length === 0) {
      const written = this.socket.write(line);
      if (written < 0) return this.release();
      const size = Buffer.byteLength(line);
      if (written === size) return this.maybeFinish();
      this.enqueue(Buffer.from(line).subarray(written));
    } else {
      this.enqueue(Buffer.from(line));
    }
    if (this.queued > this.maxPendingBytes) {
      this.logger.warn({ pendingBytes: this.queued, subscribed: this.subscribed }, "control: dropping a client that does not read its replies");
      this.destroy();
    }
  }

  /** The socket can take more: write what waits, in order. */
  flush(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const written = this.socket.write(head);
      if (written < 0) return this.release();
      if (written < head.length) {
        this.queue[0] = head.subarray(written);
        this.queued -= written;
        this.budget?.add(-written);
        return;
      }
      this.queue.shift();
      this.queued -= head.length;
      this.budget?.add(-head.length);
    }
    if (this.state === "closing") this.destroy();
    else this.maybeFinish();
  }

  private enqueue(bytes: Uint8Array): void {
    this.queue.push(bytes);
    this.queued += bytes.length;
    this.budget?.add(bytes.length);
  }

  addSubscription(unsubscribe: () => void): void {
    if (this.state === "closed") return unsubscribe();
    this.subscriptions.push(unsubscribe);
  }

  /** Send a last line, then close once it is out (the client may still be sending: stop reading it). */
  sendAndClose(line: string): void {
    this.send(line);
    if (this.state !== "open") return;
    this.state = "closing";
    if (this.queue.length === 0) this.destroy();
  }

  /** A half-closed peer whose every answer is out, and who streams nothing, is done. */
  maybeFinish(): void {
    if (this.peerEnded && this.state === "open" && this.inflight === 0 && this.queue.length === 0 && !this.subscribed) this.destroy();
  }

  /** Close the socket gracefully (what was written still arrives); subscriptions end. */
  destroy(): void {
    if (this.state === "closed") return;
    this.release();
    this.socket.end();
  }

  /** Dropped to free memory: buffers go at once, then a last line is tried and the socket closed. */
  evict(line: string): void {
    if (this.state === "closed") return;
    this.release();
    this.socket.write(line);
    this.socket.end();
  }

  /** Close the socket at once, whatever state it is in (a peer that never finishes a close). */
  terminate(): void {
    this.release();
    this.socket.terminate();
  }

  /** The socket is gone (either side): release everything it held. */
  release(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.budget?.add(-this.held);
    this.queue = [];
    this.queued = 0;
    this.lines.clear();
    const subs = this.subscriptions;
    this.subscriptions = [];
    for (const unsubscribe of subs) {
      try {
        unsubscribe();
      } catch (err) {
        this.logger.error({ err }, "control: unsubscribe failed");
      }
    }
  }
}
