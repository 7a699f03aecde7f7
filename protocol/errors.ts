// Stable error codes: the closed set every layer throws and every client can match on.

export const ErrorCodes = {
  // plan input
  PLAN_INVALID: "plan was rejected by validation",
  PLAN_TOO_LARGE: "plan file is over the size cap",
  PLAN_UNREADABLE: "plan file could not be read or decoded",
  PLAN_EXISTS: "a plan of that name exists with other content",
  PLAN_NOT_FOUND: "no plan of that name",
  AGENT_NOT_FOUND: "no agent of that id in the plan",
  // control channel (JSON-RPC)
  PARSE_ERROR: "the request line is not JSON",
  INVALID_REQUEST: "the request is not a JSON-RPC 2.0 request",
  METHOD_NOT_FOUND: "no such method",
  REQUEST_TOO_LARGE: "the request line is over the size limit",
  PROTOCOL_MISMATCH: "client and daemon speak incompatible protocol versions",
  NO_DAEMON: "no daemon answers on the socket",
  OVERLOADED: "the control socket's connection or buffer limits are reached",
  // daemon
  ALREADY_RUNNING: "another purpled owns this root",
  INVALID_PARAMS: "request parameters are wrong",
  INVALID_STATE: "the transition is not allowed from the current state",
  SHUTTING_DOWN: "the daemon is draining",
  RUNNER_UNAVAILABLE: "the agent's runner kind is not available",
  FORBIDDEN: "the method is not open to this caller (an agent channel serves only the agent's own methods)",
  SANDBOX_UNAVAILABLE: "no sandbox works here, so no agent may start (O/purple.yaml can say `sandbox: off`)",
  IO_ERROR: "a file operation failed",
  INTERNAL: "unexpected internal error",
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** One problem found in an input, located by a dotted path (e.g. `agents.2.territory.0`). */
export interface Problem {
  path: string;
  message: string;
}

/** The one error class of purple: a stable code, a message naming the bad value, an optional cause. */
export class PurpleError extends Error {
  readonly code: ErrorCode;
  readonly problems: Problem[];
  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; problems?: Problem[] } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "PurpleError";
    this.code = code;
    this.problems = opts.problems ?? [];
  }
}

/** Whatever was thrown, as a PurpleError (unknown errors become INTERNAL). */
export function asPurpleError(err: unknown): PurpleError {
  if (err instanceof PurpleError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PurpleError("INTERNAL", message, { cause: err });
}
