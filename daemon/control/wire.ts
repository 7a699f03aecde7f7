// What the control server writes: JSON-RPC 2.0 responses and event notifications, one line each.
// Every error goes through errorLine, so each carries its stable string in error.data.code.
import type { ErrorCode, Problem } from "../../protocol/errors.ts";
import type { PlanEvent } from "../../protocol/events.ts";
import { rpcCodeOf } from "../../protocol/rpc.ts";

export type RpcIdValue = string | number | null;

/** A success response line. */
export function resultLine(id: RpcIdValue, result: unknown): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${JSON.stringify(result ?? null)}}\n`;
}

/** An error response line: the numeric code for `code`, the message, and `data.code` = `code`. */
export function errorLine(id: RpcIdValue, code: ErrorCode, message: string, problems: readonly Problem[] = []): string {
  const data = problems.length ? { code, problems } : { code };
  return `${JSON.stringify({ jsonrpc: "2.0", id, error: { code: rpcCodeOf(code), message, data } })}\n`;
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
