// The web view (issue 17): a page for every plan on the root, served on a loopback address only
// to holders of the token (auth.ts). Its API is a thin mapping of the control channel — the same
// RpcHandler the socket serves, the same param checks (checkParams), events.subscribe as
// server-sent events — plus read-only views of files purpled writes (files.ts, changeset.ts).
// It keeps no state of its own: the page asks, the daemon answers from the engine's memory.
import { join } from "node:path";
import type { Server } from "bun";
import type { Logger } from "../../lib/logger.ts";
import { asPurpleError, HTTP_METHODS, httpStatusOf, isMethod, PurpleError, type AgentStatus, type Method } from "../../protocol/index.ts";
import { checkParams } from "../control/dispatch.ts";
import type { RpcHandler } from "../control/rpc-handler.ts";
import { asset } from "./assets.ts";
import { ensureToken, Gate, hostNames, restoreToken } from "./auth.ts";
import { changesetOf } from "./changeset.ts";
import { planDir, readAgentLog, readEventHistory, readValidation } from "./files.ts";
import { eventStream } from "./sse.ts";

export interface HttpOptions {
  host: string;
  /** 0: any free port (the URL says which) */
  port: number;
  handler: RpcHandler;
  root: string;
  orchestration: string;
  /** O/.purple: where the token file lives */
  stateDir: string;
  /** the daemon's agent slots, for "slots in use" */
  maxAgents: number;
  logger: Logger;
}

const MAX_STREAMS = 32;
const MAX_BODY_BYTES = 64 * 1024;
const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export class HttpServer {
  private streams = 0;

  private constructor(private readonly server: Server<undefined>, private readonly gate: Gate, private readonly opts: HttpOptions, readonly url: string) {}

  /** Listen on opts.host:opts.port and serve until stop(). */
  static start(opts: HttpOptions): HttpServer {
    const token = ensureToken(opts.stateDir);
    let self!: HttpServer;
    const server = Bun.serve({
      hostname: opts.host,
      port: opts.port,
      idleTimeout: 30,
      maxRequestBodySize: MAX_BODY_BYTES, // Bun refuses a longer body before it is read
      fetch: (req, srv) => self.route(req, srv),
      error: (err) => {
        opts.logger.error({ err }, "http: handler failed");
        return new Response("internal error\n", { status: 500, headers: SECURITY_HEADERS });
      },
    });
    const port = server.port!;
    const shown = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
    self = new HttpServer(server, new Gate(token, hostNames(shown, port), port), opts, `http://${shown}:${port}/`);
    return self;
  }

  /** Write the token file again (O/.purple was deleted and rebuilt while we ran). */
  restoreToken(): void {
    restoreToken(this.opts.stateDir, this.gate.token);
  }

  async stop(): Promise<void> {
    await this.server.stop(true);
  }

  private async route(req: Request, srv: Server<undefined>): Promise<Response> {
    const url = new URL(req.url);
    const verdict = this.gate.check(req, url);
    if (!verdict.ok) return text(verdict.status, `${verdict.status}: ${verdict.why}\n`);
    const path = url.pathname;
    try {
      if (req.method === "GET" && path === "/") {
        // The token came in the address: keep it as a cookie and take it out of the address bar.
        if (verdict.setCookie) return new Response(null, { status: 303, headers: { ...SECURITY_HEADERS, location: "/", "set-cookie": this.gate.cookie() } });
        return page("index.html");
      }
      if (req.method === "GET" && path.startsWith("/assets/")) return page(path.slice("/assets/".length));
      if (req.method === "POST" && path.startsWith("/api/rpc/")) return await this.rpc(path.slice("/api/rpc/".length), req);
      if (req.method !== "GET") return text(405, "405: method not allowed\n");
      if (path === "/api/events") return this.events(req, srv, url.searchParams.get("plan") ?? undefined);
      if (path === "/api/session") return json({ maxAgents: this.opts.maxAgents, url: this.url });
      const m = /^\/api\/plans\/([^/]+)(?:\/agents\/([^/]+))?\/(events|validation|log|changeset)$/.exec(path);
      if (m) return await this.planFile(decodeURIComponent(m[1]!), m[2] === undefined ? null : decodeURIComponent(m[2]), m[3]!, url);
      return text(404, "404: not found\n");
    } catch (err) {
      return errorResponse(err, this.opts.logger);
    }
  }

  /** POST /api/rpc/<method>: the JSON body is the params; the reply is the result or {error}. */
  private async rpc(name: string, req: Request): Promise<Response> {
    if (!isMethod(name) || !HTTP_METHODS.has(name)) throw new PurpleError("METHOD_NOT_FOUND", `the web view has no method ${JSON.stringify(name.slice(0, 80))}`);
    const body = await req.text();
    if (body.length > MAX_BODY_BYTES) throw new PurpleError("REQUEST_TOO_LARGE", `the request body is over ${MAX_BODY_BYTES} bytes`);
    let raw: unknown;
    try {
      raw = body.trim() === "" ? {} : JSON.parse(body);
    } catch {
      throw new PurpleError("PARSE_ERROR", "the request body is not valid JSON");
    }
    const params = checkParams(name, raw, this.opts.handler);
    if (params instanceof PurpleError) throw params;
    return json(await this.opts.handler.call(name as Method, params as never));
  }

  private events(req: Request, srv: Server<undefined>, plan: string | undefined): Response {
    if (this.streams >= MAX_STREAMS) return text(503, `503: over ${MAX_STREAMS} event streams are open\n`);
    this.streams++;
    srv.timeout(req, 0); // a quiet stream is not idle: heartbeats keep it, the browser closes it
    const res = eventStream(this.opts.handler, plan, req.signal, () => this.streams--);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!res.headers.has(k)) res.headers.set(k, v);
    return res;
  }

  /** The plan (and agent) must exist in the daemon before any of its files is read. */
  private async planFile(plan: string, agent: string | null, what: string, url: URL): Promise<Response> {
    const detail = await this.opts.handler.call("plan.get", { plan });
    const dir = planDir(this.opts.orchestration, plan);
    if (agent === null) {
      if (what === "events") return json(readEventHistory(dir, clampInt(url.searchParams.get("limit"), 1, 2000, 500)));
      if (what === "validation") return json(readValidation(dir));
      return text(404, "404: not found\n");
    }
    const status: AgentStatus | undefined = detail.agents.find((a) => a.agent === agent);
    if (!status) throw new PurpleError("AGENT_NOT_FOUND", `plan ${plan} has no agent ${agent}`);
    if (what === "log") {
      const from = url.searchParams.get("from");
      return json(readAgentLog(dir, agent, from === null ? null : clampInt(from, 0, Number.MAX_SAFE_INTEGER, 0)));
    }
    if (what === "changeset") return json(await changesetOf(this.opts.root, join(dir, "agents", agent), status));
    return text(404, "404: not found\n");
  }
}

function page(name: string): Response {
  const a = asset(name);
  if (!a) return text(404, "404: not found\n");
  return new Response(a.body, { headers: { ...SECURITY_HEADERS, "content-type": a.type } });
}

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8" } });
const text = (status: number, body: string) => new Response(body, { status, headers: { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" } });

function errorResponse(err: unknown, logger: Logger): Response {
  const e = asPurpleError(err);
  if (!(err instanceof PurpleError)) logger.error({ err }, "http: request failed");
  const message = err instanceof PurpleError ? e.message : "internal error; the daemon log has the details";
  return json({ error: { code: e.code, message, ...(e.problems.length ? { problems: e.problems } : {}) } }, httpStatusOf(e.code));
}

function clampInt(raw: string | null, min: number, max: number, fallback: number): number {
  const n = raw === null ? NaN : Number(raw);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}
