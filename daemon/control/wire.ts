// What the control server writes: JSON-RPC 2.0 responses and event notifications, one line each.
// Every error goes through errorLine, so each carries its stable string in error.data.code.
import type { ErrorCode, Problem } from "../../protocol/errors.ts";
import type { PlanEvent } from "../../protocol/events.ts";
import { rpcCodeOf } from "../../protocol/rpc.ts";
import { RawNumberId } from "./raw-id.ts";

export { RawNumberId } from "./raw-id.ts";

/** A request id as it is echoed: a numeric id is kept as the client's own token (RawNumberId). */
export type RpcIdValue = string | number | null | RawNumberId;

const idJson = (id: RpcIdValue): string => (id instanceof RawNumberId ? id.token : JSON.stringify(id));

/** A success response line. */
export function resultLine(id: RpcIdValue, result: unknown): string {
  return `{"jsonrpc":"2.0","id":${idJson(id)},"result":${JSON.stringify(result ?? null)}}\n`;
}

/** An error response line: the numeric code for `code`, the message, and `data.code` = `code`. */
export function errorLine(id: RpcIdValue, code: ErrorCode, message: string, problems: readonly Problem[] = []): string {
  const data = problems.length ? { code, problems } : { code };
  return `{"jsonrpc":"2.0","id":${idJson(id)},"error":${JSON.stringify({ code: rpcCodeOf(code), message, data })}}\n`;
}

let lastEvent: PlanEvent | undefined;
let lastEventLine = "";

/** An `event` notification line; the same event fanned out to many subscribers is encoded once. */
export function eventLine(event: PlanEvent): string {
  if (event !== lastEvent) {
    lastEventLine = `{"jsonrpc":"2.0","method":"event","params":${JSON.stringify(event)}}\n`;
    lastEvent = event;
  }
  return lastEventLine;
}
