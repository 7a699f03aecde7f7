// One request line in, at most one response line out: parse, check against the protocol's
// schemas, refuse mutations while draining, run the handler, turn whatever it throws into a
// wire error. Nothing here waits on a client; a slow handler call only holds its own request.
import type { Logger } from "../../lib/logger.ts";
import { PurpleError } from "../../protocol/errors.ts";
import type { PlanEvent } from "../../protocol/events.ts";
import { isMethod, METHODS, MUTATING, type Method } from "../../protocol/rpc.ts";
import type { RpcHandler } from "./rpc-handler.ts";
import { rawIdToken } from "./raw-id.ts";
import { errorLine, eventLine, RawNumberId, resultLine, type RpcIdValue } from "./wire.ts";

/** The connection a request came from, as dispatch sees it. */
export interface Peer {
  /** queue one line for the client (dropped silently once the connection is gone) */
  send(line: string): void;
  /** remember an unsubscribe function, called when the connection closes */
  addSubscription(unsubscribe: () => void): void;
  /** handler calls still running for this connection (an idle sweep spares it meanwhile) */
  inflight: number;
  /** a call finished: a half-closed peer with nothing left to answer can go */
  maybeFinish(): void;
}

type Checked =
  | { ok: false; reply: string | null }
  | { ok: true; id: RpcIdValue; notification: boolean; method: Method; params: unknown };

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Handle one request line from a peer. */
export function dispatch(bytes: Uint8Array, peer: Peer, handler: RpcHandler, logger: Logger): void {
  const req = check(bytes, handler);
  if (!req.ok) {
    if (req.reply) peer.send(req.reply);
    return;
  }
  if (req.method === "events.subscribe") return subscribe(req.id, req.notification, req.params as { plan?: string }, peer, handler, logger);
  const reply = (line: string) => { if (!req.notification) peer.send(line); };
  let out: unknown;
  try {
    out = handler.call(req.method, req.params as never);
  } catch (err) {
    return reply(thrownLine(req.id, req.method, err, logger));
  }
  if (!isThenable(out)) return reply(encodeResult(req.id, req.method, out, logger));
  peer.inflight++;
  out.then(
    (value) => { peer.inflight--; reply(encodeResult(req.id, req.method, value, logger)); peer.maybeFinish(); },
    (err: unknown) => { peer.inflight--; reply(thrownLine(req.id, req.method, err, logger)); peer.maybeFinish(); },
  );
}

/** Parse and validate a line into a call, or the error reply it deserves (null: say nothing). */
function check(bytes: Uint8Array, handler: RpcHandler): Checked {
  let msg: unknown;
  let text: string;
  try {
    text = decoder.decode(bytes);
    msg = JSON.parse(text);
  } catch {
    if (isBlank(bytes)) return { ok: false, reply: null };
    return { ok: false, reply: errorLine(null, "PARSE_ERROR", "the request line is not valid JSON (one JSON-RPC request per line, UTF-8)") };
  }
  if (Array.isArray(msg)) return invalid(null, "batch requests are not supported: send one request object per line");
  if (typeof msg !== "object" || msg === null) return invalid(null, "a request must be a JSON object");
  const r = msg as Record<string, unknown>;
  const notification = !Object.hasOwn(r, "id");
  const id = r.id;
  if (!notification && id !== null && typeof id !== "string" && typeof id !== "number") return invalid(null, "id must be a string, a number or null");
  // A number is echoed as the token the client wrote (JSON.parse would round a large one).
  const rid: RpcIdValue = notification ? null : typeof id === "number" ? new RawNumberId(rawIdToken(text) ?? JSON.stringify(id)) : (id as string | null);
  if (r.jsonrpc !== "2.0") return invalid(rid, 'jsonrpc must be "2.0"');
  if (typeof r.method !== "string") return invalid(rid, "method must be a string");
  const method = r.method;
  const answer = (reply: string): Checked => ({ ok: false, reply: notification ? null : reply });
  if (!isMethod(method)) return answer(errorLine(rid, "METHOD_NOT_FOUND", `no method ${JSON.stringify(method.slice(0, 100))}; the methods are ${Object.keys(METHODS).join(", ")}`));
  const params = checkParams(method, r.params, handler);
  if (params instanceof PurpleError) return answer(errorLine(rid, params.code, params.message, params.problems));
  return { ok: true, id: rid, notification, method, params };
}

/** A method's params admitted by the handler, checked against its schema, and refused while draining if it mutates (also used by the web view). */
export function checkParams(method: Method, raw: unknown, handler: RpcHandler): unknown | PurpleError {
  if (handler.admit) {
    const admitted = handler.admit(method, raw);
    if (admitted instanceof PurpleError) return admitted;
    raw = admitted.params;
  }
  const parsed = METHODS[method].params.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    const text = problems.map((p) => `${p.path ? `params.${p.path}` : "params"}: ${p.message}`).join("; ");
    return new PurpleError("INVALID_PARAMS", `invalid params for ${method}: ${text}`, { problems });
  }
  if (MUTATING.has(method) && handler.isDraining()) return new PurpleError("SHUTTING_DOWN", `${method} refused: the daemon is shutting down`);
  return parsed.data;
}

/** events.subscribe: answer first, then stream; events the handler sends while subscribing wait for the answer. */
function subscribe(id: RpcIdValue, notification: boolean, filter: { plan?: string }, peer: Peer, handler: RpcHandler, logger: Logger): void {
  let early: PlanEvent[] | null = [];
  const send = (event: PlanEvent) => {
    // The server enforces the filter too, so a handler that ignores it cannot leak other plans' events.
    if (filter.plan !== undefined && event.plan !== filter.plan) return;
    if (early) early.push(event);
    else peer.send(eventLine(event));
  };
  let unsubscribe: () => void;
  try {
    unsubscribe = handler.subscribe(filter.plan === undefined ? {} : { plan: filter.plan }, send);
  } catch (err) {
    if (!notification) peer.send(thrownLine(id, "events.subscribe", err, logger));
    return;
  }
  peer.addSubscription(unsubscribe);
  if (!notification) peer.send(resultLine(id, { subscribed: true }));
  const pending = early;
  early = null;
  for (const event of pending) peer.send(eventLine(event));
}

function encodeResult(id: RpcIdValue, method: Method, value: unknown, logger: Logger): string {
  try {
    return resultLine(id, value);
  } catch (err) {
    return thrownLine(id, method, err, logger); // a result JSON cannot encode (a cycle, a BigInt)
  }
}

/** A PurpleError keeps its code and message; anything else is logged and reported as INTERNAL. */
function thrownLine(id: RpcIdValue, method: Method, err: unknown, logger: Logger): string {
  if (err instanceof PurpleError) return errorLine(id, err.code, err.message, err.problems);
  logger.error({ err, method }, "control: handler failed");
  return errorLine(id, "INTERNAL", `internal error while running ${method}; the daemon log has the details`);
}

const invalid = (id: RpcIdValue, why: string): Checked => ({ ok: false, reply: errorLine(id, "INVALID_REQUEST", `invalid request: ${why}`) });

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown } | null)?.then === "function";

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 32 && b !== 9 && b !== 13) return false;
  return true;
}
