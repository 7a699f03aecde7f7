// The anthropic agent's record in O/<plan>/agents/<agent>/: transcript.jsonl, one line per request
// sent (the body exactly as sent, never headers or the key) and one per answer or error, and
// prompt.md, the rendered prompt. Anything shaped like an API key is scrubbed before it is written.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../../lib/atomic-write.ts";
import { scrubSecrets } from "../../../lib/logger.ts";

/** Appends the lines of one attempt's transcript; a failing disk never stops the agent. */
export class Transcript {
  readonly file: string;
  private broken: string | null = null;

  constructor(private readonly agentDir: string) {
    mkdirSync(agentDir, { recursive: true });
    this.file = join(agentDir, "transcript.jsonl");
  }

  /** The request body of `turn` (retry `retry` of it), as sent. */
  request(turn: number, body: unknown, retry: number): void {
    this.line({ type: "request", turn, ...(retry > 0 ? { retry } : {}), at: now(), body });
  }

  /** The assistant message that answered `turn`. */
  response(turn: number, message: unknown): void {
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
