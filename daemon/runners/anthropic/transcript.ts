// The anthropic agent's record in O/<plan>/agents/<agent>/: transcript.jsonl, one line per request
// sent (the body as sent, never headers or the key) and one per answer or error, and prompt.md, the
// rendered prompt. Anything shaped like an API key is scrubbed before it is written.
//
// Each turn resends the whole conversation; recording it whole every turn made the file grow with
// the square of the turns (118 MiB after 31 turns of large reads). So a request line holds only
// what is new: `messagesFrom: k` says the conversation's first k messages are already in the
// transcript (earlier requests' messages, then each response's message, in order), and
// `body.messages` are messages k onwards; `unchanged: ["system", "tools"]` says those fields were
// the same as in the previous request line and are left out. The first request is recorded whole.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../../lib/atomic-write.ts";
import { scrubSecrets } from "../../../lib/logger.ts";

/** Appends the lines of one attempt's transcript; a failing disk never stops the agent. */
export class Transcript {
  readonly file: string;
  private broken: string | null = null;
  /** conversation messages already in the file */
  private recorded = 0;
  private last: { system?: unknown; tools?: unknown } | null = null;

  constructor(private readonly agentDir: string) {
    mkdirSync(agentDir, { recursive: true });
    this.file = join(agentDir, "transcript.jsonl");
  }

  /** The request body of `turn` (retry `retry` of it), as sent: what is new since the last line. */
  request(turn: number, body: { messages?: readonly unknown[]; system?: unknown; tools?: unknown; [k: string]: unknown }, retry: number): void {
    const all = Array.isArray(body.messages) ? body.messages : [];
    const from = all.length >= this.recorded ? this.recorded : 0; // a shorter conversation: record it whole
    const out: Record<string, unknown> = { ...body, messages: all.slice(from) };
    const unchanged: string[] = [];
    for (const field of ["system", "tools"] as const) {
      if (this.last && field in body && body[field] === this.last[field]) {
        delete out[field];
        unchanged.push(field);
      }
    }
    this.last = { system: body.system, tools: body.tools };
    this.recorded = all.length;
    this.line({ type: "request", turn, ...(retry > 0 ? { retry } : {}), at: now(), messagesFrom: from, ...(unchanged.length ? { unchanged } : {}), body: out });
  }

  /** The assistant message that answered `turn` (the next request's conversation carries it). */
  response(turn: number, message: unknown): void {
    this.recorded++;
    this.line({ type: "response", turn, at: now(), message });
  }

  /** A failed request of `turn`: the HTTP status (null for stream errors, stalls, network) and why. */
  error(turn: number, status: number | null, message: string): void {
    this.line({ type: "error", turn, at: now(), status, message });
  }

  /** How the attempt ended. */
  end(outcome: string, message: string): void {
    this.line({ type: "end", at: now(), outcome, message });
  }

  /** Write prompt.md (atomically). */
  writePrompt(markdown: string): void {
    try {
      writeFileAtomic(join(this.agentDir, "prompt.md"), scrubSecrets(markdown));
    } catch (err) {
      this.broken ??= `could not write prompt.md: ${(err as Error).message}`;
    }
  }

  /** The first write error, if any (the run goes on without its record). */
  get problem(): string | null {
    return this.broken;
  }

  private line(record: Record<string, unknown>): void {
    try {
      appendFileSync(this.file, `${scrubSecrets(JSON.stringify(record))}\n`);
    } catch (err) {
      this.broken ??= `could not append to ${this.file}: ${(err as Error).message}`;
    }
  }
}

function now(): string {
  return new Date().toISOString();
}
