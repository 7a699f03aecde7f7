// The control server (SPEC §8): JSON-RPC 2.0 over a Unix socket, one JSON object per line.
// It owns the listener and its connections; framing, dispatch, binding and the write queue
// live beside it (line-buffer.ts, dispatch.ts, bind.ts, connection.ts). What a method does is
// the RpcHandler's business: the server adds no IO per request and never waits on a client.
import type { Socket, UnixSocketListener } from "bun";
import type { Logger } from "../../lib/logger.ts";
import { MAX_REQUEST_BYTES } from "../../protocol/rpc.ts";
import { bindSocket, unlinkIfOurs, type FileId } from "./bind.ts";
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
}

const DEFAULT_IDLE_MS = 5 * 60_000;
const DEFAULT_MAX_PENDING = 8 * 1024 * 1024;

export class ControlServer {
  private readonly connections = new Set<Connection>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private listener: UnixSocketListener<Connection> | null = null;
  private socketId: FileId | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    private readonly handler: RpcHandler,
    private readonly logger: Logger,
    private readonly idleTimeoutMs: number,
    private readonly maxRequestBytes: number,
    private readonly maxPendingBytes: number,
  ) {
    // One sweep for all connections rather than a timer per connection reset on every request.
    this.sweeper = setInterval(() => this.sweepIdle(), Math.max(10, Math.min(1000, idleTimeoutMs / 4)));
    this.sweeper.unref();
  }

  /** Bind the socket at `path` safely and start serving `handler`. */
  static async listen(path: string, handler: RpcHandler, opts: ControlServerOptions): Promise<ControlServer> {
    const server = new ControlServer(path, handler, opts.logger, opts.idleTimeoutMs ?? DEFAULT_IDLE_MS, opts.maxRequestBytes ?? MAX_REQUEST_BYTES, opts.maxPendingBytes ?? DEFAULT_MAX_PENDING);
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

  private async shutdown(): Promise<void> {
    clearInterval(this.sweeper);
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
    const conn = new Connection(socket, this.maxRequestBytes, this.maxPendingBytes, this.logger);
    socket.data = conn;
    this.connections.add(conn);
  }

  private received(conn: Connection | undefined, chunk: Uint8Array): void {
    if (!conn?.open) return;
    conn.lastActive = performance.now();
    const fits = conn.lines.push(chunk, (line) => {
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
