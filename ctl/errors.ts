// What can go wrong in purplectl, and the one place each failure becomes an exit code and a
// message: 2 usage, 3 no daemon answers, 1 everything else (an RPC error, a protocol mismatch).
import { PurpleError } from "../protocol/errors.ts";

/** The command line itself is wrong: exit 2 with the usage text. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Nothing answers on the socket (ENOENT, ECONNREFUSED, or the connection dropped). */
export class NoDaemonError extends PurpleError {
  readonly socket: string;
  constructor(socket: string, reason: string, cause?: unknown) {
    super("NO_DAEMON", `no daemon answers on ${socket} (${reason})`, { cause });
    this.socket = socket;
  }
}

/** The daemon speaks another major protocol version than this purplectl. */
export class ProtocolMismatchError extends PurpleError {
  constructor(daemonProtocol: string, ours: string, daemonVersion: string) {
    super("PROTOCOL_MISMATCH", `purpled ${daemonVersion} speaks protocol ${daemonProtocol}, this purplectl speaks ${ours}; use the purplectl of the same version`);
  }
}

/** The daemon answered a call with a JSON-RPC error. */
export class RpcCallError extends Error {
  override readonly name = "RpcCallError";
  constructor(
    readonly code: number,
    message: string,
    /** the stable string of error.data.code, e.g. PLAN_NOT_FOUND */
    readonly dataCode: string,
    /** error.data beyond its code (e.g. `problems` of PLAN_INVALID) */
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2, noDaemon: 3 } as const;

/** How a failure leaves purplectl: the line for stderr and the exit code. */
export function failureOf(err: unknown, root: string | null = null): { message: string; code: number } {
  if (err instanceof UsageError) return { message: err.message, code: EXIT.usage };
  if (err instanceof NoDaemonError) return { message: `${err.message}\n${howToStart(root)}`, code: EXIT.noDaemon };
  if (err instanceof RpcCallError) return { message: `${err.message} (${err.dataCode})${problemsOf(err.data)}`, code: EXIT.failed };
  if (err instanceof PurpleError) return { message: err.message, code: EXIT.failed };
  return { message: err instanceof Error ? err.message : String(err), code: EXIT.failed };
}

const howToStart = (root: string | null) => `start one with \`purpled --root ${root ?? "DIR"}\`, or install it as a service: \`purplectl service install --user\``;

function problemsOf(data: Record<string, unknown>): string {
  const problems = Array.isArray(data.problems) ? (data.problems as { path?: unknown; message?: unknown }[]) : [];
  return problems.map((p) => `\n  ${typeof p.path === "string" && p.path ? p.path : "(plan)"}: ${String(p.message)}`).join("");
}
