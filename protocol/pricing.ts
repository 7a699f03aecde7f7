// The one price table of the models: what a turn's tokens cost, so budgets can be kept (the
// anthropic runner) and a plan's cost estimated before it runs (`purplectl plan`).
//
// Source: Anthropic's published prices (platform.claude.com/docs/en/about-claude/pricing and each
// model's overview page), USD per million tokens. "cacheWrite" is the 5-minute cache write, the
// only kind this runner asks for. Where a model has a long-prompt tier (Haiku 5.5 above 100k prompt
// tokens) the whole request is billed at that tier, as the API does.
import type { Usage } from "./status.ts";

/** USD per million tokens. */
export interface Price {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

interface Row {
  /** model ids starting with this (then "-", "@", "[" or the end) use this price; the longest prefix wins */
  prefix: string;
  price: Price;
  /** a higher price for requests whose prompt (input + cache read + cache write) exceeds `tokens` */
  longPrompt?: { tokens: number; price: Price };
}

const p = (input: number, output: number, cacheRead: number, cacheWrite: number): Price => ({ input, output, cacheRead, cacheWrite });

const FABLE = p(10, 50, 1, 12.5);
const FABLE_5_1 = p(10, 50, 0.25, 12.5);
const OPUS_5_5 = p(4, 20, 0.2, 5);
const OPUS_4_5 = p(5, 25, 0.5, 6.25); // Opus 4.5 through Opus 5
const OPUS_4 = p(15, 75, 1.5, 18.75); // Opus 4 and 4.1
// Sonnet 5.x: the overview pages list a $0.20 cache read; third-party trackers report a cut to
// $0.10 for Sonnet 5.5 in October 2026. The higher, documented figure is kept: a budget should
// rather stop a little early than late.
const SONNET_5 = p(2, 10, 0.2, 2.5);
const SONNET_4 = p(3, 15, 0.3, 3.75); // Sonnet 4, 4.5, 4.6 and the 3.x Sonnets
const HAIKU_5_5 = p(0.1, 0.5, 0.01, 0.125);
const HAIKU_5_5_LONG = p(0.5, 2.5, 0.05, 0.625);
const HAIKU_4_5 = p(1, 5, 0.1, 1.25);
const HAIKU_3_5 = p(0.8, 4, 0.08, 1);
const HAIKU_3 = p(0.25, 1.25, 0.03, 0.3);

const TABLE: Row[] = [
  { prefix: "claude-fable-5-1", price: FABLE_5_1 },
  { prefix: "claude-mythos-5-1", price: FABLE_5_1 },
  { prefix: "claude-fable-5", price: FABLE },
  { prefix: "claude-mythos-5", price: FABLE },
  { prefix: "claude-opus-5-5", price: OPUS_5_5 },
  { prefix: "claude-opus-5", price: OPUS_4_5 },
  { prefix: "claude-opus-4-8", price: OPUS_4_5 },
  { prefix: "claude-opus-4-7", price: OPUS_4_5 },
  { prefix: "claude-opus-4-6", price: OPUS_4_5 },
  { prefix: "claude-opus-4-5", price: OPUS_4_5 },
  { prefix: "claude-opus-4-1", price: OPUS_4 },
  { prefix: "claude-opus-4", price: OPUS_4 },
  { prefix: "claude-3-opus", price: OPUS_4 },
  { prefix: "claude-sonnet-5", price: SONNET_5 }, // also claude-sonnet-5-5
  { prefix: "claude-sonnet-4", price: SONNET_4 },
  { prefix: "claude-3-7-sonnet", price: SONNET_4 },
  { prefix: "claude-3-5-sonnet", price: SONNET_4 },
  { prefix: "claude-haiku-5-5", price: HAIKU_5_5, longPrompt: { tokens: 100_000, price: HAIKU_5_5_LONG } },
  { prefix: "claude-haiku-4-5", price: HAIKU_4_5 },
  { prefix: "claude-3-5-haiku", price: HAIKU_3_5 },
  { prefix: "claude-3-haiku", price: HAIKU_3 },
];

// An unknown model is priced like the dearest row of the table (Opus 4.x: $15/$75): a budget must
// never be under-counted because a new model id is missing here. Add the model's row instead.
const UNKNOWN: Row = { prefix: "", price: OPUS_4 };

/** The price row for a model id (dated ids, "anthropic." prefixes and "[1m]" suffixes included). */
export function priceOf(model: string): { price: Price; longPrompt?: Row["longPrompt"]; known: boolean } {
  const id = model.trim().toLowerCase().replace(/^(?:[a-z0-9-]+\.)?anthropic\./, "").replace(/^anthropic\//, "");
  let best: Row | undefined;
  for (const row of TABLE) {
    if (!id.startsWith(row.prefix)) continue;
    const next = id.charAt(row.prefix.length);
    if (next !== "" && next !== "-" && next !== "@" && next !== "[" && next !== ":") continue;
    if (!best || row.prefix.length > best.prefix.length) best = row;
  }
  const row = best ?? UNKNOWN;
  return { price: row.price, ...(row.longPrompt ? { longPrompt: row.longPrompt } : {}), known: best !== undefined };
}

/** The USD cost of one request's tokens on `model`. */
export function costOf(model: string, usage: Omit<Usage, "costUsd">): number {
  const row = priceOf(model);
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const price = row.longPrompt && prompt > row.longPrompt.tokens ? row.longPrompt.price : row.price;
  const micro =
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheReadTokens * price.cacheRead +
    usage.cacheWriteTokens * price.cacheWrite;
  return micro / 1_000_000;
}
