// Input-side accounting for the scripted server: token estimates and a prompt cache that behaves like the API's.
import { createHash } from "node:crypto";

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** Tokens estimated from characters, about four a token, as the real tokenizer roughly does for English and JSON. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * The prompt is read as one sequence of items — each tool, each system block, each message's
 * content blocks — in the API's order tools → system → messages. Items carrying `cache_control`
 * are breakpoints. A cache entry is written for the prefix ending at every breakpoint; a request
 * reads the longest prefix (up to its last breakpoint) already written, and creates the rest of
 * its prefix. Identical prefixes therefore read exactly what the first request created, and a
 * breakpoint moved forward in a growing conversation still reads the part cached last turn.
 * Cache keys ignore the `cache_control` markers themselves and include the model.
 */
export class PromptCache {
  private readonly written = new Set<string>();

  /** Usage without output tokens for one request; records the cache entries it writes. */
  account(body: any, raw: string): Omit<Usage, "output_tokens"> {
    const total = estimateTokens(raw.length);
    const items = promptItems(body);
    const last = items.findLastIndex((i) => i.breakpoint);
    if (last < 0) return { input_tokens: total, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

    const hashes: string[] = [];
    const tokens: number[] = [];
    let hash = sha256(`model:${String(body?.model ?? "")}`);
    let chars = 0;
    for (let k = 0; k <= last; k++) {
      const text = canonicalJson(items[k]!.value);
      hash = sha256(`${hash}\n${text}`);
      chars += text.length;
      hashes.push(hash);
      tokens.push(estimateTokens(chars));
    }

    let read = 0;
    for (let k = last; k >= 0; k--) {
      if (this.written.has(hashes[k]!)) {
        read = tokens[k]!;
        break;
      }
    }
    const prefix = tokens[last]!;
    items.forEach((item, k) => {
      if (item.breakpoint && k <= last) this.written.add(hashes[k]!);
    });
    return {
      input_tokens: Math.max(0, total - prefix),
      cache_read_input_tokens: read,
      cache_creation_input_tokens: prefix - read,
    };
  }
}

interface PromptItem {
  value: unknown;
  breakpoint: boolean;
}

/** The prompt as ordered items (tools, system blocks, message blocks), each marked if it carries cache_control. */
function promptItems(body: any): PromptItem[] {
  const items: PromptItem[] = [];
  const add = (kind: "tool" | "system", v: unknown) =>
    items.push({ value: { [kind]: stripCacheControl(v) }, breakpoint: hasCacheControl(v) });
  if (Array.isArray(body?.tools)) for (const tool of body.tools) add("tool", tool);
  if (typeof body?.system === "string") add("system", body.system);
  else if (Array.isArray(body?.system)) for (const block of body.system) add("system", block);
  if (Array.isArray(body?.messages)) {
    body.messages.forEach((m: any, i: number) => {
      if (Array.isArray(m?.content)) for (const block of m.content) items.push(messageItem(i, m.role, block));
      else items.push(messageItem(i, m?.role, m?.content));
    });
  }
  return items;
}

function messageItem(index: number, role: unknown, block: unknown): PromptItem {
  return { value: { message: index, role, block: stripCacheControl(block) }, breakpoint: hasCacheControl(block) };
}

function hasCacheControl(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as any).cache_control != null;
}

function stripCacheControl(v: unknown): unknown {
  if (!hasCacheControl(v)) return v;
  const { cache_control: _, ...rest } = v as Record<string, unknown>;
  return rest;
}

/** JSON with object keys sorted, so equal prompts hash equally whatever order the client wrote keys in. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x ?? null)).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const keys = Object.keys(v).filter((k) => (v as any)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as any)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

const AGENT_MARK = /\bAgent: ([A-Za-z0-9._-]+)/;

/** The default agent recogniser: `Agent: <id>` in the first message's text, else in the system prompt. */
export function identifyAgent(body: any): string | null {
  const first = Array.isArray(body?.messages) ? body.messages[0] : undefined;
  for (const text of [...texts(first?.content), ...texts(body?.system)]) {
    const m = AGENT_MARK.exec(text);
    if (m) return m[1]!;
  }
  return null;
}

/** The text of a string or of the text blocks in a block array. */
function texts(content: unknown): string[] {
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  return content.filter((b) => b?.type === "text" && typeof b.text === "string").map((b) => b.text as string);
}
