// The control-channel client (SPEC §8): JSON-RPC 2.0 over a Unix socket, one JSON object per
// line. Every result is checked against its schema in protocol/rpc.ts; before the first call the
// daemon's protocol major is compared with ours (STYLE 7), so a mismatch fails clearly, not oddly.
// The schemas (zod) load while the first request is on its way, not before: what the daemon does
// with it (plan.submit starting an agent) does not wait for purplectl's start-up.
import type { Socket } from "bun";
import type { z } from "zod";
import type { PlanEvent } from "../protocol/events.ts";
import type { METHODS, Method, ResultOf } from "../protocol/rpc.ts";
import { PROTOCOL_VERSION, protocolMajor } from "../protocol/version.ts";
import { NoDaemonError, ProtocolMismatchError, RpcCallError } from "./errors.ts";
import { PurpleError } from "../protocol/errors.ts";

/** What a method accepts (before its schema's defaults apply). */
export type ParamsIn<M extends Method> = z.input<(typeof METHODS)[M]["params"]>;

export interface ConnectOptions {
  /** a call without an answer after this long fails as NoDaemon (default 30 s; 0 = never) */
  callTimeoutMs?: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const encoder = new TextEncoder();

type Schemas = typeof import("./schemas.ts");
let schemas: Schemas | null = null;
let loadingSchemas: Promise<Schemas> | null = null;
const loadSchemas = (): Promise<Schemas> => (loadingSchemas ??= import("./schemas.ts").then((m) => (schemas = m)));

/** One connection to purpled; calls may overlap, answers are matched by id. */
export class Client {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly outbox: Uint8Array[] = [];
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private readonly listeners: ((e: PlanEvent) => void)[] = [];
  private compatible: Promise<void> | null = null;
  /** the protocol check passed: calls skip waiting on it */
  private checked = false;
  private closedFlag = false;
  private onClosed!: () => void;
  /** resolves when the connection ends, from either side */
  readonly closed = new Promise<void>((r) => (this.onClosed = r));
  private socket!: Socket<undefined>;

  constructor(
    readonly socketPath: string,
    private readonly callTimeoutMs: number,
  ) {}

  /** @internal used by connect() once the socket is open */
  attach(socket: Socket<undefined>): void {
    this.socket = socket;
  }

  /** Call a method; resolves with its result checked against METHODS[method].result. */
  async call<M extends Method>(method: M, params?: ParamsIn<M>): Promise<ResultOf<M>> {
    // The first daemon.status is the check itself: one round trip, not two.
    const isCheck = method === "daemon.status" && !this.compatible;
    if (!this.checked && !isCheck) await (this.compatible ??= this.send("daemon.status", {}).then((r) => this.check(r)));
    const raw = this.send(method, params);
    const loaded = loadSchemas();
    if (isCheck) await (this.compatible ??= raw.then((r) => this.check(r)));
    return parseResult(method, await raw, await loaded);
  }

  /** Subscribe to one plan's events (or every plan's); onEvent sees each event the daemon streams. */
  async subscribe(plan: string | undefined, onEvent: (e: PlanEvent) => void): Promise<void> {
    await loadSchemas(); // events are checked as they arrive, so the schemas must be here first
    this.listeners.push(onEvent);
    await this.call("events.subscribe", plan === undefined ? {} : { plan });
  }

  /** Close the connection; pending calls fail. */
  close(): void {
    if (!this.closedFlag) this.socket.end();
    this.handleClose("closed by purplectl");
  }

  private check(raw: unknown): void {
    checkProtocol(raw);
    this.checked = true;
  }

  private send(method: Method, params: unknown): Promise<unknown> {
    if (this.closedFlag) return Promise.reject(new NoDaemonError(this.socketPath, "the connection is closed"));
    const id = this.nextId++;
    const line = JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params }) + "\n";
    return new Promise((resolve, reject) => {
      const timer = this.callTimeoutMs > 0
        ? setTimeout(() => this.settle(id, new NoDaemonError(this.socketPath, `${method} got no answer within ${this.callTimeoutMs / 1000}s`)), this.callTimeoutMs)
        : undefined;
      this.pending.set(id, { resolve, reject, timer });
      this.write(line);
    });
  }

  /** Write a line, keeping whatever the socket did not take for the next drain. */
  private write(line: string): void {
    if (this.outbox.length) return void this.outbox.push(encoder.encode(line));
    const n = this.socket.write(line);
    const size = Buffer.byteLength(line);
    if (n < size) this.outbox.push(encoder.encode(line).subarray(Math.max(0, n)));
  }

  /** @internal the socket can take more bytes */
  flush(): void {
    while (this.outbox.length) {
      const head = this.outbox[0]!;
      const n = this.socket.write(head);
      if (n < head.length) return void (this.outbox[0] = head.subarray(Math.max(0, n)));
      this.outbox.shift();
    }
  }

  /** @internal bytes from the daemon */
  receive(chunk: Uint8Array): void {
    const text = this.decoder.decode(chunk, { stream: true });
    // The usual case: one whole answer in one chunk.
    if (this.buffer === "" && text.length > 0 && text.indexOf("\n") === text.length - 1) return this.handleLine(text.slice(0, -1));
    this.buffer += text;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim()) this.handleLine(line);
    }
  }

  private handleLine(line: string): void {
    let msg: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: { code?: unknown } } };
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not ours to crash on; a call waiting for it times out
    }
    if (msg.method === "event") {
      const parsed = schemas?.PlanEvent.safeParse(msg.params);
      // An event type from a newer daemon of the same major is skipped, not fatal.
      if (parsed?.success) for (const l of this.listeners) l(parsed.data);
      return;
    }
    if (typeof msg.id !== "number") return;
    if (msg.error) {
      const e = msg.error;
      const data = (e.data ?? {}) as Record<string, unknown>;
      const { code: dataCode, ...rest } = data;
      this.settle(msg.id, new RpcCallError(Number(e.code), String(e.message ?? "error"), typeof dataCode === "string" ? dataCode : "INTERNAL", rest));
    } else this.settle(msg.id, undefined, msg.result);
  }

  private settle(id: number, err: unknown, result?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(result);
  }

  /** @internal the connection ended */
  handleClose(reason: string): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const id of [...this.pending.keys()]) this.settle(id, new NoDaemonError(this.socketPath, reason));
    this.onClosed();
  }
}

function checkProtocol(raw: unknown): void {
  const r = raw as { protocol?: unknown; version?: unknown } | null;
  const theirs = typeof r?.protocol === "string" ? r.protocol : "?";
  if (protocolMajor(theirs) !== protocolMajor(PROTOCOL_VERSION)) throw new ProtocolMismatchError(theirs, PROTOCOL_VERSION, String(r?.version ?? "?"));
}

function parseResult<M extends Method>(method: M, raw: unknown, { METHODS }: Schemas): ResultOf<M> {
  const r = METHODS[method].result.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first ? ` at ${first.path.join(".") || "(result)"}: ${first.message}` : "";
    throw new PurpleError("PROTOCOL_MISMATCH", `purpled's answer to ${method} does not match protocol ${PROTOCOL_VERSION}${where}; use the purplectl of the same version`);
  }
  return r.data as ResultOf<M>;
}

/** Open a connection to the daemon at `socketPath`; fails with NoDaemonError when nothing listens. */
export async function connect(socketPath: string, opts: ConnectOptions = {}): Promise<Client> {
  const client = new Client(socketPath, opts.callTimeoutMs ?? 30_000);
  try {
    const socket = await Bun.connect({
      unix: socketPath,
      socket: {
        data: (_s, chunk) => client.receive(chunk),
        drain: () => client.flush(),
        close: () => client.handleClose("the daemon closed the connection"),
        error: (_s, err) => client.handleClose(err.message),
        end: () => client.handleClose("the daemon closed the connection"),
      },
    });
    client.attach(socket);
  } catch (err) {
    throw new NoDaemonError(socketPath, reasonOf(err), err);
  }
  return client;
}

function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return "no socket file there";
  if (code === "ECONNREFUSED") return "connection refused: a stale socket";
  if (code === "EACCES") return "permission denied";
  return code ?? (err instanceof Error ? err.message : String(err));
}
