// The web view's side of the protocol (issue 17): where purpled may listen for HTTP, which
// JSON-RPC methods the page may call over it, and the shape of an attempt's changeset as the
// page shows it. The HTTP API is a thin mapping of the control channel, nothing more:
//   POST /api/rpc/<method>   body = the method's params   → 200 result | 4xx/5xx {error}
//   GET  /api/events[?plan=] text/event-stream of PlanEvent  (events.subscribe)
import { z } from "zod";
import type { ErrorCode } from "./errors.ts";
import type { Method } from "./rpc.ts";

/** The token file under O/.purple/ (mode 0600) that the page needs. */
export const HTTP_TOKEN_FILE = "http-token";

/** The methods the page may call: reading state and the admin verbs; not submit, shutdown or agent tools. */
export const HTTP_METHODS: ReadonlySet<Method> = new Set<Method>([
  "daemon.status", "plan.list", "plan.get",
  "plan.approve", "plan.pause", "plan.resume", "plan.cancel", "agent.retry", "agent.cancel",
]);

/** The HTTP status each stable error code travels with. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case "INVALID_PARAMS": case "INVALID_REQUEST": case "PARSE_ERROR": return 400;
    case "PLAN_NOT_FOUND": case "AGENT_NOT_FOUND": case "METHOD_NOT_FOUND": return 404;
    case "INVALID_STATE": return 409;
    case "REQUEST_TOO_LARGE": return 413;
    case "SHUTTING_DOWN": return 503;
    default: return 500;
  }
}

/** `--http` / `http:` in O/purple.yaml: HOST:PORT on a loopback address (port 0: any free port). */
export const HttpListen = z.string().transform((s, ctx) => {
  const parsed = parseListen(s);
  if (typeof parsed === "string") {
    ctx.addIssue({ code: "custom", message: parsed });
    return z.NEVER;
  }
  return parsed;
});
export type HttpListen = z.output<typeof HttpListen>;

/** HOST:PORT → {host, port}, or why not. Only loopback hosts: the page is for this machine's user. */
export function parseListen(s: string): { host: string; port: number } | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s.trim());
  if (!m) return `'${s}' is not HOST:PORT (e.g. 127.0.0.1:8787)`;
  const host = (m[1] ?? m[2])!;
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range`;
  if (!isLoopback(host)) return `${host} is not a loopback address: the web view listens only on 127.0.0.1, ::1 or localhost`;
  return { host, port };
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  const parts = host.split(".");
  return parts.length === 4 && parts[0] === "127" && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * One file of an attempt's changeset. `refused`: the change was outside the agent's territory
 * and never reached the project (reverted, or the new file removed); its diff may be absent.
 */
export const ChangesetFile = z.strictObject({
  path: z.string(),
  change: z.enum(["added", "modified", "deleted", "unknown"]),
  refused: z.boolean(),
  /** reverted / deleted: undone after the fact by the audit; refused: stopped at write time; held: allowed, but not applied because another change of its changeset was refused */
  action: z.enum(["reverted", "deleted", "refused", "held"]).nullable(),
  /** why it was refused or held back, when purple knows */
  reason: z.string().nullable(),
  /** a unified diff, or null when there is none to show (refused, binary, unavailable) */
  diff: z.string().nullable(),
  truncated: z.boolean(),
});
export type ChangesetFile = z.infer<typeof ChangesetFile>;

/**
 * What one attempt of an agent changed, as the page shows it. `source` says where it came from:
 * `status` is built from the agent status (changedFiles, violations) with a diff of each file
 * against `base`; a recorded per-attempt changeset plugs in as `changeset`.
 */
export const AttemptChangeset = z.strictObject({
  plan: z.string(),
  agent: z.string(),
  attempt: z.number().int().min(0),
  source: z.enum(["status", "changeset"]),
  /** what the diffs compare against, for people ("the project's HEAD commit", "the attempt's start") */
  base: z.string(),
  files: z.array(ChangesetFile),
});
export type AttemptChangeset = z.infer<typeof AttemptChangeset>;

/** GET /api/plans/<plan>/agents/<agent>/log: a piece of the agent's output or transcript. */
export const LogChunk = z.strictObject({
  file: z.enum(["output.log", "transcript.jsonl"]).nullable(),
  /** the file's size now */
  size: z.number().int().min(0),
  from: z.number().int().min(0),
  /** ask again with from=next for what follows (text never ends inside a UTF-8 character) */
  next: z.number().int().min(0),
  text: z.string(),
});
export type LogChunk = z.infer<typeof LogChunk>;
