// A local Messages-API server answering from per-agent scripts: replies, HTTP errors, mid-stream errors, stalls.
import type { Server } from "bun";
import { identifyAgent, PromptCache, type Usage } from "./scripted-api-usage.ts";
import {
  blockEvents,
  defaultErrorMessage,
  defaultStopReason,
  encodeSse,
  errorBody,
  errorTypeFor,
  messageEvents,
  messageJson,
  outputTokens,
  startEvent,
  toApiBlocks,
  type ApiMessage,
  type ContentBlockSpec,
  type ErrorType,
  type SseEvent,
} from "./scripted-api-wire.ts";

export type { ContentBlockSpec, Usage };

export type ScriptStep =
  | {
      reply: {
        content: ContentBlockSpec[];
        stop_reason?: "end_turn" | "tool_use" | "max_tokens" /* default: tool_use if any tool_use block else end_turn */;
        usage?: Partial<Usage> /* overrides the computed usage */;
      };
    }
  | { fail: { status: 400 | 401 | 403 | 429 | 500 | 529; retryAfterSeconds?: number; message?: string } }
  | {
      streamError: {
        afterBlocks?: number /* complete content blocks sent before the error event, default 0 */;
        message?: string;
        /** the blocks drawn from for afterBlocks; default generated text blocks */
        content?: ContentBlockSpec[];
      };
    }
  | {
      stall: {
        afterEvents?: number /* SSE events sent before going silent, default 1 */;
        /** the message whose events are cut short; default one text block */
        content?: ContentBlockSpec[];
      };
    };

/** How a request was answered: a script step's kind, or the server's own refusals. */
export type Answer = "reply" | "fail" | "streamError" | "stall" | "exhausted" | "unauthorized" | "invalid";

export interface RecordedRequest {
  agent: string | null;
  body: any /* parsed JSON */;
  raw: string /* the exact body text */;
  stream: boolean;
  at: number /* Date.now() on arrival */;
  authorization: string | null;
  apiKeyHeader: string | null;
  answeredWith: Answer;
}

export interface ScriptedApiOptions {
  scripts: Record<string, ScriptStep[]>; // per agent id, consumed in order
  identify?: (body: any) => string | null; // default: `Agent: <id>` in messages[0], then system
  /** when set, a request authenticated neither by `Authorization: Bearer <key>` nor `x-api-key: <key>` gets 401 */
  expectKey?: string;
}

/** Something held open (a stalled stream or response) that stop() must let go. */
type Held = { release(): void };

export class ScriptedApi {
  readonly url: string;
  readonly requests: RecordedRequest[] = [];
  private readonly scripts = new Map<string, ScriptStep[]>();
  private readonly identify: (body: any) => string | null;
  private readonly expectKey: string | undefined;
  private readonly cache = new PromptCache();
  private readonly held = new Set<Held>();
  private readonly watchers: { pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  private readonly server: Server<undefined>;
  private counters = { msg: 0, tool: 0, req: 0 };

  private constructor(opts: ScriptedApiOptions) {
    for (const [agent, steps] of Object.entries(opts.scripts)) this.scripts.set(agent, [...steps]);
    this.identify = opts.identify ?? identifyAgent;
    this.expectKey = opts.expectKey;
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      // Keep-alive connections may idle between turns; stalled streams get no timeout at all (see stall()).
      idleTimeout: 255,
      fetch: (req, server) => this.handle(req, server),
    });
    this.url = `http://127.0.0.1:${this.server.port}`;
  }

  /** Start the server on 127.0.0.1 with an ephemeral port. */
  static start(opts: ScriptedApiOptions): ScriptedApi {
    return new ScriptedApi(opts);
  }

  /** Add steps for an agent while running. */
  push(agent: string, ...steps: ScriptStep[]): void {
    const queue = this.scripts.get(agent) ?? [];
    queue.push(...steps);
    this.scripts.set(agent, queue);
  }

  /** Steps not yet consumed for an agent. */
  remaining(agent: string): number {
    return this.scripts.get(agent)?.length ?? 0;
  }

  /** Resolve with the first recorded request (past or future) matching pred — for waiting instead of sleeping. */
  waitForRequest(pred: (r: RecordedRequest) => boolean = () => true): Promise<RecordedRequest> {
    const seen = this.requests.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.watchers.push({ pred, resolve }));
  }

  /** Stop listening, cutting any stalled streams and responses still held open. */
  async stop(): Promise<void> {
    for (const h of [...this.held]) h.release();
    this.held.clear();
    await this.server.stop(true);
  }

  private async handle(req: Request, server: Server<undefined>): Promise<Response> {
    const path = new URL(req.url).pathname.replace(/\/+$/, "");
    if (req.method !== "POST" || path !== "/v1/messages") {
      return this.error(404, "not_found_error", `scripted server: no route ${req.method} ${new URL(req.url).pathname}`);
    }
    const raw = await req.text();
    const rec: RecordedRequest = {
      agent: null,
      body: null,
      raw,
      stream: false,
      at: Date.now(),
      authorization: req.headers.get("authorization"),
      apiKeyHeader: req.headers.get("x-api-key"),
      answeredWith: "invalid",
    };
    try {
      rec.body = JSON.parse(raw);
    } catch {
      this.record(rec);
      return this.error(400, "invalid_request_error", "scripted server: request body is not JSON");
    }
    rec.stream = rec.body?.stream === true;
    rec.agent = this.identify(rec.body);

    if (this.expectKey !== undefined && !this.authorized(rec)) {
      rec.answeredWith = "unauthorized";
      this.record(rec);
      return this.error(401, "authentication_error", "invalid x-api-key");
    }
    const step = rec.agent === null ? undefined : this.scripts.get(rec.agent)?.shift();
    if (!step) {
      rec.answeredWith = "exhausted";
      this.record(rec);
      return this.error(400, "invalid_request_error", `scripted server: no script step left for agent ${rec.agent ?? "(unrecognised)"}`);
    }
    rec.answeredWith = "reply" in step ? "reply" : "fail" in step ? "fail" : "streamError" in step ? "streamError" : "stall";
    this.record(rec);

    if ("fail" in step) {
      const { status, retryAfterSeconds, message } = step.fail;
      const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) };
      const type = errorTypeFor(status);
      return this.error(status, type, message ?? defaultErrorMessage(type), headers);
    }
    if ("reply" in step) {
      const msg = this.message(rec, step.reply.content, step.reply.stop_reason, step.reply.usage);
      return rec.stream ? this.sse(messageEvents(msg), "close") : this.json(200, messageJson(msg));
    }
    if ("streamError" in step) {
      const { afterBlocks = 0, message = "Overloaded", content } = step.streamError;
      const specs = content ?? Array.from({ length: afterBlocks }, (_, i) => ({ type: "text" as const, text: `partial block ${i + 1}` }));
      const msg = this.message(rec, specs.slice(0, afterBlocks));
      // A non-streamed request cannot fail mid-way: the same error arrives as its HTTP answer.
      if (!rec.stream) return this.error(529, "overloaded_error", message);
      const error: SseEvent = { event: "error", data: errorBody("overloaded_error", message) };
      return this.sse([startEvent(msg), ...msg.content.flatMap((b, i) => blockEvents(b, i)), error], "close");
    }
    return this.stall(req, server, rec, step.stall.afterEvents ?? 1, step.stall.content);
  }

  /** Build the assistant message for a request: ids, model, stop reason and usage (cache accounted). */
  private message(rec: RecordedRequest, specs: ContentBlockSpec[], stop?: ApiMessage["stop_reason"], over?: Partial<Usage>): ApiMessage {
    const content = toApiBlocks(specs, () => `toolu_${++this.counters.tool}`);
    const usage: Usage = { ...this.cache.account(rec.body, rec.raw), output_tokens: outputTokens(content), ...over };
    return {
      id: `msg_${++this.counters.msg}`,
      model: typeof rec.body?.model === "string" ? rec.body.model : "claude-scripted",
      content,
      stop_reason: stop ?? defaultStopReason(content),
      usage,
    };
  }

  /** Send some events (or, unstreamed, nothing) and then hold the connection silent until abort or stop(). */
  private stall(req: Request, server: Server<undefined>, rec: RecordedRequest, afterEvents: number, specs?: ContentBlockSpec[]): Response | Promise<Response> {
    server.timeout(req, 0);
    const msg = this.message(rec, specs ?? [{ type: "text", text: "this reply never finishes" }]);
    if (rec.stream) return this.sse(messageEvents(msg).slice(0, Math.max(0, afterEvents)), "hold", req.signal);
    return new Promise<Response>((resolve) => {
      const h: Held = {
        release: () => {
          this.held.delete(h);
          resolve(this.error(529, "overloaded_error", "scripted server stopped"));
        },
      };
      this.held.add(h);
      req.signal.addEventListener("abort", () => h.release(), { once: true });
    });
  }

  /** An SSE response carrying these events, then either closed or held open silently. */
  private sse(events: SseEvent[], end: "close" | "hold", signal?: AbortSignal): Response {
    const enc = new TextEncoder();
    let h: Held | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        for (const e of events) c.enqueue(enc.encode(encodeSse(e)));
        if (end === "close") return c.close();
        h = {
          release: () => {
            this.held.delete(h!);
            try {
              c.error(new Error("scripted server: stalled stream cut"));
            } catch {
              // already closed by the client going away
            }
          },
        };
        this.held.add(h);
        signal?.addEventListener("abort", () => h && this.held.delete(h), { once: true });
      },
      cancel: () => {
        if (h) this.held.delete(h);
      },
    });
    return new Response(body, {
      status: 200,
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": this.requestId() },
    });
  }

  private json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
    return Response.json(body, { status, headers: { "request-id": this.requestId(), ...headers } });
  }

  private error(status: number, type: ErrorType, message: string, headers: Record<string, string> = {}): Response {
    return this.json(status, errorBody(type, message), headers);
  }

  private requestId(): string {
    return `req_scripted_${++this.counters.req}`;
  }

  private authorized(rec: RecordedRequest): boolean {
    return rec.authorization === `Bearer ${this.expectKey}` || rec.apiKeyHeader === this.expectKey;
  }

  private record(rec: RecordedRequest): void {
    this.requests.push(rec);
    for (const w of [...this.watchers]) {
      if (!w.pred(rec)) continue;
      this.watchers.splice(this.watchers.indexOf(w), 1);
      w.resolve(rec);
    }
  }
}
