// The API key never reaches a Claude Code agent (SPEC §10): each attempt gets a random token and
// talks to this loopback proxy, which checks the token, puts purpled's real key in its place and
// forwards to the Messages API (ANTHROPIC_BASE_URL or the public endpoint). A token works only
// while its attempt runs, so nothing an agent can read — its environment, its files, its
// processes — is worth anything afterwards, and the key is in no agent-reachable place at all.
import type { Server } from "bun";

const DEFAULT_UPSTREAM = "https://api.anthropic.com";
// Hop-by-hop and credential headers are never passed through as they came.
const DROP_REQUEST = ["host", "connection", "content-length", "accept-encoding", "x-api-key", "authorization", "keep-alive", "transfer-encoding"];
const DROP_RESPONSE = ["content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"];

export class KeyProxy {
  private server: Server<undefined> | null = null;
  private readonly tokens = new Set<string>();
  private readonly upstream: string;

  constructor(private readonly apiKey: string, upstream?: string) {
    this.upstream = (upstream || DEFAULT_UPSTREAM).replace(/\/+$/, "");
  }

  /** The proxy's base URL (it starts listening on first use, on 127.0.0.1 and an ephemeral port). */
  get url(): string {
    this.server ??= Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 0, fetch: (req) => this.forward(req) });
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** A new token for one attempt; `revoke` it when the attempt ends. */
  issue(): string {
    const token = `purple-agent-${crypto.randomUUID()}`;
    this.tokens.add(token);
    return token;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** Stop listening (purpled shutting down). */
  close(): void {
    void this.server?.stop(true);
    this.server = null;
  }

  private async forward(req: Request): Promise<Response> {
    const token = req.headers.get("x-api-key") ?? req.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
    if (!this.tokens.has(token)) {
      // HEAD / is Claude Code's connectivity probe: answer it without going anywhere.
      if (req.method === "HEAD") return new Response(null, { status: 200 });
      return Response.json({ type: "error", error: { type: "authentication_error", message: "purple: this agent token is not (or no longer) valid" } }, { status: 401 });
    }
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    for (const h of DROP_REQUEST) headers.delete(h);
    headers.set("x-api-key", this.apiKey);
    let res: Response;
    try {
      res = await fetch(`${this.upstream}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer(),
        signal: req.signal,
        redirect: "manual",
      });
    } catch (err) {
      return Response.json({ type: "error", error: { type: "api_error", message: `purple: the Messages API could not be reached: ${(err as Error).message}` } }, { status: 502 });
    }
    const out = new Headers(res.headers);
    for (const h of DROP_RESPONSE) out.delete(h);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers: out });
  }
}
