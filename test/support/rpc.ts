// A minimal JSON-RPC line client for tests: requests by id, notifications collected and awaitable.
import type { Socket } from "bun";

export interface RpcReply {
  id: number | string | null;
  result?: any;
  error?: { code: number; message: string; data?: { code: string } };
}

export class TestRpc {
  private socket!: Socket<undefined>;
  private buf = "";
  private nextId = 1;
  private pending = new Map<number, (r: RpcReply) => void>();
  readonly notifications: any[] = [];
  private watchers: { pred: (n: any) => boolean; resolve: (n: any) => void }[] = [];
  closed = false;

  static async connect(path: string): Promise<TestRpc> {
    const c = new TestRpc();
    c.socket = await Bun.connect({
      unix: path,
      socket: {
        data: (_s, data) => c.onData(data.toString()),
        close: () => void (c.closed = true),
        error: () => void (c.closed = true),
      },
    });
    return c;
  }

  private onData(text: string): void {
    this.buf += text;
    let nl: number;
    while ((nl = this.buf.indexOf("\n")) >= 0) {
      const msg = JSON.parse(this.buf.slice(0, nl));
      this.buf = this.buf.slice(nl + 1);
      if (msg.id !== undefined && this.pending.has(msg.id)) {
        this.pending.get(msg.id)!(msg);
        this.pending.delete(msg.id);
      } else if (msg.method) {
        this.notifications.push(msg);
        this.watchers = this.watchers.filter((w) => (w.pred(msg) ? (w.resolve(msg), false) : true));
      }
    }
  }

  /** Send a request; resolves with the whole reply (result or error). */
  request(method: string, params?: unknown): Promise<RpcReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.write(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }) + "\n");
    });
  }

  /** Send a request; resolves with its result, rejects with its error message and code. */
  async call(method: string, params?: unknown): Promise<any> {
    const r = await this.request(method, params);
    if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { rpc: r.error });
    return r.result;
  }

  /** The first notification (past or future) matching `pred`. */
  waitNotification(pred: (n: any) => boolean, what: string, ms = 15_000): Promise<any> {
    const seen = this.notifications.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      this.watchers.push({ pred, resolve: (n) => (clearTimeout(t), resolve(n)) });
    });
  }

  close(): void {
    this.socket.end();
  }
}
