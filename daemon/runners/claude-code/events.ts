// The lines of `claude -p --output-format stream-json --verbose`, one zod schema per kind that
// purple reads. Claude Code adds fields and line kinds from version to version: every schema is
// loose (unknown fields pass), and a line of an unknown kind, or one that does not parse, is
// simply not an event for purple (parseStreamLine returns null) — never an error.
import { z } from "zod";

const ApiUsage = z.looseObject({
  input_tokens: z.number().int().min(0).default(0),
  output_tokens: z.number().int().min(0).default(0),
  cache_read_input_tokens: z.number().int().min(0).nullish(),
  cache_creation_input_tokens: z.number().int().min(0).nullish(),
});
export type ApiUsage = z.infer<typeof ApiUsage>;

/** system/init: the session has started; which MCP servers connected. */
export const InitLine = z.looseObject({
  type: z.literal("system"),
  subtype: z.literal("init"),
  session_id: z.string(),
  model: z.string().optional(),
  tools: z.array(z.string()).default([]),
  mcp_servers: z.array(z.looseObject({ name: z.string(), status: z.string() })).default([]),
});

/** system/api_retry: a request failed (429, 529, 5xx) and will be retried after a delay. */
export const ApiRetryLine = z.looseObject({
  type: z.literal("system"),
  subtype: z.literal("api_retry"),
  attempt: z.number().optional(),
  max_retries: z.number().optional(),
  retry_delay_ms: z.number().min(0).default(0),
  error_status: z.number().nullish(),
  error: z.string().nullish(),
});

const ContentBlock = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
});

/** assistant: one content block of a model message (several lines share one message id). */
export const AssistantLine = z.looseObject({
  type: z.literal("assistant"),
  message: z.looseObject({
    id: z.string().optional(),
    model: z.string().optional(),
    content: z.array(ContentBlock).default([]),
    usage: ApiUsage.optional(),
  }),
});

/** user: tool results going back to the model. */
export const UserLine = z.looseObject({
  type: z.literal("user"),
  message: z.looseObject({ content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), is_error: z.boolean().optional() }))]).optional() }),
});

/** result: the session's end, with what it cost. A failure may come as subtype success with is_error. */
export const ResultLine = z.looseObject({
  type: z.literal("result"),
  subtype: z.string(),
  is_error: z.boolean().default(false),
  result: z.string().optional(),
  num_turns: z.number().optional(),
  total_cost_usd: z.number().min(0).default(0),
  usage: ApiUsage.optional(),
  api_error_status: z.number().nullish(),
  errors: z.array(z.string()).optional(),
  permission_denials: z.array(z.unknown()).default([]),
  /** the answer given through --json-schema (Claude Code's StructuredOutput tool); not checked here */
  structured_output: z.unknown().optional(),
});

export type StreamEvent =
  | ({ kind: "init" } & z.infer<typeof InitLine>)
  | ({ kind: "api_retry" } & z.infer<typeof ApiRetryLine>)
  | ({ kind: "assistant" } & z.infer<typeof AssistantLine>)
  | ({ kind: "user" } & z.infer<typeof UserLine>)
  | ({ kind: "result" } & z.infer<typeof ResultLine>);

/** The event on one stream-json line, or null for anything purple does not read. */
export function parseStreamLine(line: string): StreamEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== "object") return null;
  const { type, subtype } = raw as { type?: unknown; subtype?: unknown };
  const pick = <S extends z.ZodType>(schema: S, kind: StreamEvent["kind"]) => {
    const parsed = schema.safeParse(raw);
    return parsed.success ? ({ kind, ...(parsed.data as object) } as StreamEvent) : null;
  };
  if (type === "system" && subtype === "init") return pick(InitLine, "init");
  if (type === "system" && subtype === "api_retry") return pick(ApiRetryLine, "api_retry");
  if (type === "assistant") return pick(AssistantLine, "assistant");
  if (type === "user") return pick(UserLine, "user");
  if (type === "result") return pick(ResultLine, "result");
  return null;
}
