// The control server (SPEC §8): JSON-RPC 2.0 over a Unix socket, one JSON object per line.
// It owns the listener and its connections; framing, dispatch, binding and the write queue
// live beside it (line-buffer.ts, dispatch.ts, bind.ts, connection.ts). What a method does is
// the RpcHandler's business: the server adds no IO per request and never waits on a client.
//
// Limits (issue 14), all options with these defaults:
//   connections       2,048 at once; at the cap the least recently active idle one is closed to
//                     make room, and with none idle the newcomer is refused (OVERLOADED)
//   a request line    1 MiB (MAX_REQUEST_BYTES); longer closes the connection (REQUEST_TOO_LARGE)
//   unsent replies    8 MiB per connection; more drops a client that does not read
//   all buffered      32 MiB of partial lines and unsent replies over every connection; over it,
//                     the connection holding the most is dropped (OVERLOADED)
//   idle              5 minutes without a byte closes a connection (subscribers excepted)
// Every 16 MiB of buffers freed (clients dropped or gone) or received, a full GC runs on the next
// turn of the loop: under a flood of partial lines the garbage would otherwise pile up to several
// times the budget before the collector looks (measured: 394 MB RSS for a 64 MiB budget without it).
import type { Socket, UnixSocketListener } from "bun";
import type { Logger } from "../../lib/logger.ts";
import { MAX_REQUEST_BYTES } from "../../protocol/rpc.ts";
import { bindSocket, unlinkIfOurs, type FileId } from "./bind.ts";
import { ByteBudget } from "./budget.ts";
import { Connection } from "./connection.ts";
import { dispatch } from "./dispatch.ts";
import { errorLine } from "./wire.ts";
import type { RpcHandler } from "./rpc-handler.ts";

export type { RpcHandler } from "./rpc-handler.ts";

export interface ControlServerOptions {
  logger: Logger;
  /** a connection that sends nothing this long is closed (subscribers excepted); default 5 min */
  idleTimeoutMs?: number;
  /** longest request line; default MAX_REQUEST_BYTES */
  maxRequestBytes?: number;
  /** replies and events waiting for a client that does not read; over this it is dropped; default 8 MB */
  maxPendingBytes?: number;
  /** connections at once; default 2,048 */
  maxConnections?: number;
  /** partial lines and unsent replies of all connections together; default 32 MiB */
  maxBufferedBytes?: number;
}

const DEFAULT_IDLE_MS = 5 * 60_000;
const DEFAULT_MAX_PENDING = 8 * 1024 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 2048;
export const DEFAULT_MAX_BUFFERED = 32 * 1024 * 1024;
/** Freed or received bytes after which a full GC runs (on the next turn of the loop, not inside a callback). */
const GC_AFTER_FREED = 16 * 1024 * 1024;
const GC_AFTER_RECEIVED = 16 * 1024 * 1024;

export class ControlServer {
  private readonly connections = new Set<Connection>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private listener: UnixSocketListener<Connection> | null = null;
  private socketId: FileId | null = null;
  private closing: Promise<void> | null = null;
  private readonly budget: ByteBudget;
  private readonly maxConnections: number;
  private freedSinceGc = 0;
  private receivedSinceGc = 0;
  private gcTimer: ReturnType<typeof setImmediate> | null = null;

  private constructor(
    readonly path: string,
    private readonly handler: RpcHandler,
    private readonly logger: Logger,
    private readonly idleTimeoutMs: number,
    private readonly maxRequestBytes: number,
    private readonly maxPendingBytes: number,
    limits: { maxConnections?: number; maxBufferedBytes?: number } = {},
  ) {
    this.maxConnections = Math.max(1, limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
    this.budget = new ByteBudget(limits.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED, () => this.evictLargest());
    // One sweep for all connections rather than a timer per connection reset on every request.
    this.sweeper = setInterval(() => this.sweepIdle(), Math.max(10, Math.min(1000, idleTimeoutMs / 4)));
    this.sweeper.unref();
  }

  /** Bind the socket at `path` safely and start serving `handler`. */
  static async listen(path: string, handler: RpcHandler, opts: ControlServerOptions): Promise<ControlServer> {
    const server = new ControlServer(path, handler, opts.logger, opts.idleTimeoutMs ?? DEFAULT_IDLE_MS, opts.maxRequestBytes ?? MAX_REQUEST_BYTES, opts.maxPendingBytes ?? DEFAULT_MAX_PENDING, opts);
    try {
      const bound = await bindSocket(path, (at) => server.bindAt(at));
      server.listener = bound.listener;
      server.socketId = bound.id;
    } catch (err) {
      clearInterval(server.sweeper);
      throw err;
    }
    opts.logger.info({ socket: path }, "control: listening");
    return server;
  }

  /** Stop listening, close every connection, and remove the socket file if it is still ours. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Connections and buffered bytes right now (for tests, benches and daemon.status). */
  get load(): { connections: number; bufferedBytes: number } {
    return { connections: this.connections.size, bufferedBytes: this.budget.total };
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.sweeper);
    if (this.gcTimer) clearImmediate(this.gcTimer);
    for (const conn of this.connections) conn.destroy();
    this.connections.clear();
    this.listener?.stop(true);
    this.listener = null;
    if (this.socketId) unlinkIfOurs(this.path, this.socketId);
  }

  private bindAt(at: string): UnixSocketListener<Connection> {
    return Bun.listen<Connection>({
      unix: at,
      allowHalfOpen: true, // `printf REQUEST | nc -U` half-closes before the answer is out
      socket: {
        open: (socket) => this.opened(socket),
        data: (socket, chunk) => this.received(socket.data, chunk),
        drain: (socket) => socket.data?.flush(),
        end: (socket) => this.peerEnded(socket.data),
        close: (socket) => this.dropped(socket.data),
        error: (socket, err) => {
          this.logger.warn({ err }, "control: connection error");
          socket.data?.terminate();
        },
      },
    });
  }

  private opened(socket: Socket<Connection>): void {
    if (this.closing) return void socket.terminate();
    if (this.connections.size >= this.maxConnections && !this.makeRoom()) {
      this.logger.warn({ maxConnections: this.maxConnections }, "control: connection limit reached and none is idle; refusing a connection");
      socket.write(errorLine(null, "OVERLOADED", `the daemon serves at most ${this.maxConnections} connections and none is idle; try again`));
      socket.end();
      return;
    }
    const conn = new Connection(socket, this.maxRequestBytes, this.maxPendingBytes, this.logger, this.budget);
    socket.data = conn;
    this.connections.add(conn);
  }

  /** At the connection cap: close one already closing on our side, else the least recently active idle one. */
  private makeRoom(): boolean {
    let victim: Connection | null = null;
    for (const conn of this.connections) {
      if (!conn.open) {
        victim = conn;
        break;
      }
      if (conn.idle && (victim === null || conn.lastActive < victim.lastActive)) victim = conn;
    }
    if (!victim) return false;
    this.logger.debug("control: at the connection limit; closing the oldest idle connection");
    victim.terminate();
    this.connections.delete(victim);
    return true;
  }

  /** Over the buffer budget: drop the connection holding the most bytes. False when none holds any. */
  private evictLargest(): boolean {
    let victim: Connection | null = null;
    for (const conn of this.connections) if (conn.held > (victim?.held ?? 0)) victim = conn;
    if (!victim) return false;
    this.logger.warn({ heldBytes: victim.held, bufferedBytes: this.budget.total, maxBufferedBytes: this.budget.limit }, "control: buffered bytes over the limit; dropping the connection holding the most");
    this.noteFreed(victim.held);
    victim.evict(errorLine(null, "OVERLOADED", `the daemon holds over ${this.budget.limit} bytes for its clients; this connection, holding the most, is closed`));
    return true;
  }

  // Bun's heap keeps freed buffers a long while: once many are freed, ask for one full collection.
  // Each chunk the runtime hands us is garbage after the callback too, so bytes received count.
  private noteFreed(bytes: number, received = 0): void {
    this.freedSinceGc += bytes;
    this.receivedSinceGc += received;
    if ((this.freedSinceGc < GC_AFTER_FREED && this.receivedSinceGc < GC_AFTER_RECEIVED) || this.gcTimer) return;
    this.gcTimer = setImmediate(() => {
      this.gcTimer = null;
      this.freedSinceGc = 0;
      this.receivedSinceGc = 0;
      Bun.gc(true);
    });
  }

  private received(conn: Connection | undefined, chunk: Uint8Array): void {
    if (!conn?.open) return;
    conn.lastActive = performance.now();
    this.noteFreed(0, chunk.length);
    const fits = conn.receive(chunk, (line) => {
      if (!conn.open) return;
      try {
        dispatch(line, conn, this.handler, this.logger);
      } catch (err) {
        // dispatch answers every failure itself; reaching here is a bug, not a reason to fall over
        this.logger.error({ err }, "control: request dispatch failed");
      }
    });
    if (!fits && conn.open) {
      this.logger.warn({ maxRequestBytes: this.maxRequestBytes }, "control: request line over the size limit; closing the connection");
      conn.sendAndClose(errorLine(null, "REQUEST_TOO_LARGE", `request line over ${this.maxRequestBytes} bytes; the connection is closed`));
    }
  }

  private peerEnded(conn: Connection | undefined): void {
    if (!conn) return;
    conn.peerEnded = true;
    conn.maybeFinish();
  }

  private dropped(conn: Connection | undefined): void {
    if (!conn) return;
    this.noteFreed(conn.held);
    conn.release();
    this.connections.delete(conn);
  }

  /** Close connections that sent nothing for the idle timeout; subscribers and pending calls are not idle. */
  private sweepIdle(): void {
    const cutoff = performance.now() - this.idleTimeoutMs;
    for (const conn of this.connections) {
      if (conn.lastActive > cutoff) continue;
      if (!conn.open) {
        conn.terminate(); // closed on our side but the peer never finished: cut it
        this.connections.delete(conn);
      } else if (!conn.subscribed && conn.inflight === 0) {
        this.logger.debug("control: closing an idle connection");
        conn.destroy();
      }
    }
  }
}
