// The model half of a model-assisted compile (IO): the plan's text, numbered by line, sent to the
// plan's model with one tool whose input schema is the canonical plan's JSON Schema; the tool
// call's input is the answer. Anything else (no tool call, an API error) is an error saying so.
import Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { Plan } from "../../../protocol/plan.ts";

export interface AskOptions {
  model: string;
  /** default: ANTHROPIC_API_KEY */
  apiKey?: string;
  /** default: ANTHROPIC_BASE_URL, else the SDK's */
  baseURL?: string;
  maxTokens?: number;
}

export const TOOL_NAME = "submit_plan";
const MAX_SOURCE_CHARS = 400_000;

const SYSTEM = [
  "You compile a markdown orchestration plan into purple's canonical plan (apiVersion purple/v1).",
  "Waves run in order; every agent belongs to exactly one wave; an agent's territory lists only the",
  "files and folders the plan gives that agent to create, modify or own — never paths it only reads,",
  "references, uses as examples, or that belong to another agent's section, and never paths in a",
  "'must not touch' list. Gate checks: shell commands the plan gives to validate a wave, written",
  "exactly as the plan writes them. Copy paths and commands verbatim from the text; do not invent any:",
  "purple drops every path or command that does not appear in the plan. Answer only by calling the",
  `${TOOL_NAME} tool once.`,
].join(" ");

/** The source text as the model sees it: each file, each line numbered. */
export function numberedSource(files: Record<string, string>, order: readonly string[]): string {
  const parts: string[] = [];
  let size = 0;
  for (const file of order) {
    const text = files[file];
    if (text === undefined) continue;
    const body = text.split(/\r?\n/).map((l, k) => `${k + 1}| ${l}`).join("\n");
    if (size + body.length > MAX_SOURCE_CHARS) break;
    size += body.length;
    parts.push(`=== ${file} ===\n${body}`);
  }
  return parts.join("\n\n");
}

/** Ask the model to compile; returns the tool call's input (not yet trusted) and the usage. */
export async function askModel(source: string, hint: string, opts: AskOptions): Promise<{ answer: unknown; usage: { input_tokens: number; output_tokens: number } }> {
  const client = new Anthropic({ apiKey: opts.apiKey ?? process.env.ANTHROPIC_API_KEY ?? "", ...(opts.baseURL ? { baseURL: opts.baseURL } : {}), maxRetries: 2, logLevel: "off" });
  const schema = z.toJSONSchema(Plan, { io: "input" }) as Record<string, unknown>;
  const msg = await client.messages.create({
    model: opts.model,
    max_tokens: opts.maxTokens ?? 16_000,
    system: SYSTEM,
    tools: [{ name: TOOL_NAME, description: "Submit the compiled canonical plan.", input_schema: { ...schema, type: "object" } as Anthropic.Tool.InputSchema }],
    tool_choice: { type: "tool", name: TOOL_NAME },
    messages: [{ role: "user", content: `${hint}\n\nThe plan's files, each line numbered:\n\n${source}` }],
  });
  const call = msg.content.find((b) => b.type === "tool_use" && b.name === TOOL_NAME);
  if (!call || call.type !== "tool_use") throw new Error(`the model answered without calling ${TOOL_NAME} (stop reason ${msg.stop_reason})`);
  return { answer: call.input, usage: { input_tokens: msg.usage.input_tokens, output_tokens: msg.usage.output_tokens } };
}
