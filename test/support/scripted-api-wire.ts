// The Messages API's wire shapes for the scripted server: Message JSON, SSE event sequences, error bodies.
import type { Usage } from "./scripted-api-usage.ts";

export type ContentBlockSpec =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: unknown; id?: string /* default generated toolu_<n> */ };

/** A content block as the API returns it. */
export type ApiBlock =
  | { type: "text"; text: string; citations: null }
  | { type: "tool_use"; id: string; name: string; input: unknown };

export type StopReason = "end_turn" | "tool_use" | "max_tokens";

/** Everything needed to say one assistant message, streamed or whole. */
export interface ApiMessage {
  id: string;
  model: string;
  content: ApiBlock[];
  stop_reason: StopReason;
  usage: Usage;
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Turn scripted block specs into API content blocks, generating tool ids where none is given. */
export function toApiBlocks(specs: ContentBlockSpec[], nextToolId: () => string): ApiBlock[] {
  return specs.map((s): ApiBlock =>
    s.type === "text"
      ? { type: "text", text: s.text, citations: null }
      : { type: "tool_use", id: s.id ?? nextToolId(), name: s.name, input: s.input ?? {} },
  );
}

/** The stop reason the real API would give for this content when the script names none. */
export function defaultStopReason(content: ApiBlock[]): StopReason {
  return content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
}

/** Output tokens estimated from the content's JSON, about four characters a token. */
export function outputTokens(content: ApiBlock[]): number {
  return Math.max(1, Math.ceil(JSON.stringify(content).length / 4));
}

/** The non-streaming response body: a complete Message. */
export function messageJson(m: ApiMessage): Record<string, unknown> {
  return {
    id: m.id,
    type: "message",
    role: "assistant",
    model: m.model,
    content: m.content,
    stop_reason: m.stop_reason,
    stop_sequence: null,
    usage: { ...m.usage },
  };
}

/** The opening event: the message with no content yet, input usage and output_tokens 1. */
export function startEvent(m: ApiMessage): SseEvent {
  const message = { ...messageJson(m), content: [], stop_reason: null, usage: { ...m.usage, output_tokens: 1 } };
  return { event: "message_start", data: { type: "message_start", message } };
}

/** One block's events: content_block_start, its deltas in a few chunks, content_block_stop. */
export function blockEvents(block: ApiBlock, index: number): SseEvent[] {
  const events: SseEvent[] = [];
  const put = (type: string, rest: Record<string, unknown>) => events.push({ event: type, data: { type, index, ...rest } });
  if (block.type === "text") {
    put("content_block_start", { content_block: { type: "text", text: "", citations: null } });
    for (const text of chunks(block.text)) put("content_block_delta", { delta: { type: "text_delta", text } });
  } else {
    put("content_block_start", { content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
    for (const partial_json of chunks(JSON.stringify(block.input)))
      put("content_block_delta", { delta: { type: "input_json_delta", partial_json } });
  }
  put("content_block_stop", {});
  return events;
}

/** The closing events: message_delta with the stop reason and output tokens, then message_stop. */
export function endEvents(m: ApiMessage): SseEvent[] {
  return [
    {
      event: "message_delta",
      data: {
        type: "message_delta",
        delta: { stop_reason: m.stop_reason, stop_sequence: null },
        usage: { output_tokens: m.usage.output_tokens },
      },
    },
    { event: "message_stop", data: { type: "message_stop" } },
  ];
}

/** The whole event sequence of a streamed message, in the real API's order. */
export function messageEvents(m: ApiMessage): SseEvent[] {
  return [startEvent(m), ...m.content.flatMap((b, i) => blockEvents(b, i)), ...endEvents(m)];
}

/** One SSE frame: `event: <type>\ndata: <json>\n\n`. */
export function encodeSse(e: SseEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

/** The API's error type for an HTTP status. */
export function errorTypeFor(status: number): ErrorType {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

/** The API's error body: `{"type":"error","error":{type,message}}`. */
export function errorBody(type: ErrorType, message: string): { type: "error"; error: { type: ErrorType; message: string } } {
  return { type: "error", error: { type, message } };
}

/** A default message for each error type, worded like the real API's. */
export function defaultErrorMessage(type: ErrorType): string {
  const words: Record<ErrorType, string> = {
    invalid_request_error: "Invalid request",
    authentication_error: "invalid x-api-key",
    permission_error: "Your API key does not have permission to use the specified resource.",
    not_found_error: "Not found",
    rate_limit_error: "Number of request tokens has exceeded your per-minute rate limit",
    api_error: "Internal server error",
    overloaded_error: "Overloaded",
  };
  return words[type];
}

/** Split a string into up to three pieces without cutting a surrogate pair; "" gives no pieces. */
function chunks(s: string): string[] {
  const chars = Array.from(s);
  if (chars.length === 0) return [];
  const size = Math.max(1, Math.ceil(chars.length / 3));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}
