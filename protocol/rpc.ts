// The control channel (SPEC §8): JSON-RPC 2.0 over a Unix socket, one JSON object per line.
// Every method's params and result are schemas here; daemon and purplectl both import them.
import { z } from "zod";
import type { ErrorCode } from "./errors.ts";
import { SandboxInfo } from "./changeset.ts";
import { PlanEvent } from "./events.ts";
import { AgentStatus, PlanState, PlanStatus, StatusBarFields } from "./status.ts";

export { PROTOCOL_VERSION, protocolMajor } from "./version.ts";

/** The numeric JSON-RPC code for each stable code (the string travels in error.data.code). */
export const RPC_CODES: Partial<Record<ErrorCode, number>> & Record<"INTERNAL", number> = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  PLAN_NOT_FOUND: -32001,
  AGENT_NOT_FOUND: -32002,
  INVALID_STATE: -32003,
  SHUTTING_DOWN: -32004,
  REQUEST_TOO_LARGE: -32005,
  OVERLOADED: -32006,
  PLAN_INVALID: -32010,
  PLAN_TOO_LARGE: -32011,
  PLAN_UNREADABLE: -32012,
  PLAN_EXISTS: -32013,
  RUNNER_UNAVAILABLE: -32014,
  IO_ERROR: -32020,
  FORBIDDEN: -32030,
};
export const rpcCodeOf = (code: ErrorCode): number => RPC_CODES[code] ?? RPC_CODES.INTERNAL;

/** One line of a plan list. */
export const PlanSummary = z.strictObject({
  plan: z.string(),
  state: PlanState,
  reason: z.string().nullable(),
  currentWave: z.string().nullable(),
  waves: z.number().int(),
  wavesPassed: z.number().int(),
  agents: z.number().int(),
  completed: z.number().int(),
  running: z.number().int(),
  failed: z.number().int(),
  costUsd: z.number(),
  updatedAt: z.string(),
});
export type PlanSummary = z.infer<typeof PlanSummary>;

export const DaemonStatusResult = z.strictObject({
  version: z.string(),
  protocol: z.string(),
  pid: z.number().int(),
  root: z.string(),
  uptimeMs: z.number(),
  /** the daemon cannot write its files (disk full); it keeps serving and retries */
  degraded: z.boolean(),
  draining: z.boolean(),
  /** the sandbox in force: overlay, off (O/purple.yaml), or none (then no agent starts) */
  sandbox: SandboxInfo.optional(),
  plans: z.array(PlanSummary),
});
export type DaemonStatusResult = z.infer<typeof DaemonStatusResult>;

export const PlanDetail = z.strictObject({ plan: PlanStatus, agents: z.array(AgentStatus) });
export type PlanDetail = z.infer<typeof PlanDetail>;

/** What became of a submitted plan (SPEC §8 plan.submit); a rejection is an error instead. */
export const SubmitOutcome = z.enum(["accepted", "replaced", "rerun", "unchanged"]);
export type SubmitOutcome = z.infer<typeof SubmitOutcome>;

const Problems = z.array(z.strictObject({ path: z.string(), message: z.string() }));

export const SubmitResult = z.strictObject({
  plan: z.string(),
  outcome: SubmitOutcome,
  /** what the plan probably did not mean (an agent with no territory, a program not found) */
  warnings: Problems.default([]),
});
export type SubmitResult = z.infer<typeof SubmitResult>;

/** An inbox item (or a submitted path) that was not accepted, and why. */
export const Rejection = z.strictObject({ item: z.string(), at: z.string(), problems: Problems });
export type Rejection = z.infer<typeof Rejection>;

/** The plan name a rejected item stands for: its file name without extension, or the folder of a plan file inside one. */
export function rejectionName(item: string): string {
  const parts = item.split("/");
  const base = parts.at(-1) ?? item;
  if (/^(plan\.(ya?ml|json)|orchestration-plan\.md)$/.test(base) && parts.length > 1) return parts.at(-2)!;
  return base.replace(/\.(ya?ml|json)$/i, "");
}

const None = z.strictObject({}).default({});
const PlanRef = z.strictObject({ plan: z.string().min(1) });
const AgentRef = z.strictObject({ plan: z.string().min(1), agent: z.string().min(1) });
const Empty = z.strictObject({});

/** The Purple CLI's status-bar tools, as methods: the same arguments plus `plan`. */
export const PurpleUpdateStatus = z.strictObject({ plan: z.string().min(1), ...StatusBarFields });
export const PurpleSetPhase = z.strictObject({ plan: z.string().min(1), phase: z.string().min(1) });
export const PurpleReportProgress = z.strictObject({ plan: z.string().min(1), agent: z.string().optional(), message: z.string().min(1), percent: z.number().min(0).max(100).optional() });
export const PurpleStartTicket = z.strictObject({ plan: z.string().min(1), ticketId: z.string().min(1), ticketName: z.string().optional(), agent: z.string().optional() });
export const PurpleCompleteTicket = z.strictObject({ plan: z.string().min(1), ticketId: z.string().min(1), agent: z.string().optional() });

/** Every method: its params and its result. */
export const METHODS = {
  "daemon.status": { params: None, result: DaemonStatusResult },
  "daemon.shutdown": { params: None, result: Empty },
  "plan.list": { params: None, result: z.array(PlanSummary) },
  "plan.get": { params: PlanRef, result: PlanDetail },
  "plan.submit": { params: z.strictObject({ path: z.string().min(1) }), result: SubmitResult },
  /** run an ended plan again; `run`: the number under runs/ its earlier files went to (null: it had none) */
  "plan.rerun": { params: PlanRef, result: z.strictObject({ plan: z.string(), run: z.number().int().nullable() }) },
  /** drop an ended plan and its run files; `sourcesKept`: a markdown or Purple folder's sources stay */
  "plan.forget": { params: PlanRef, result: z.strictObject({ plan: z.string(), removed: z.string(), sourcesKept: z.boolean() }) },
  "plan.rejections": { params: None, result: z.array(Rejection) },
  /** override: gate check ids `<wave>#<index>` (as in validation/<wave>.json, from 0) a person passes by decision */
  "plan.approve": { params: z.strictObject({ plan: z.string().min(1), override: z.array(z.string().min(1)).min(1).max(100).optional() }), result: PlanSummary },
  "plan.pause": { params: PlanRef, result: PlanSummary },
  "plan.resume": { params: PlanRef, result: PlanSummary },
  "plan.cancel": { params: PlanRef, result: PlanSummary },
  /** note: guidance added to the agent's prompt for its next attempts */
  "agent.retry": { params: z.strictObject({ plan: z.string().min(1), agent: z.string().min(1), note: z.string().min(1).max(4000).optional() }), result: AgentStatus },
  "agent.cancel": { params: AgentRef, result: AgentStatus },
  "events.subscribe": { params: z.strictObject({ plan: z.string().min(1).optional() }).default({}), result: z.strictObject({ subscribed: z.literal(true) }) },
  /** a note on the agent's status (its `notes`) and a status-log line; on an agent channel, the agent's own */
  "agent.note": { params: z.strictObject({ plan: z.string().min(1), agent: z.string().min(1), note: z.string().min(1).max(2000) }), result: Empty },
  purple_update_status: { params: PurpleUpdateStatus, result: Empty },
  purple_set_phase: { params: PurpleSetPhase, result: Empty },
  purple_report_progress: { params: PurpleReportProgress, result: Empty },
  purple_progress_start_ticket: { params: PurpleStartTicket, result: Empty },
  purple_progress_complete_ticket: { params: PurpleCompleteTicket, result: Empty },
} as const;

export type Method = keyof typeof METHODS;
export type ParamsOf<M extends Method> = z.output<(typeof METHODS)[M]["params"]>;
export type ResultOf<M extends Method> = z.output<(typeof METHODS)[M]["result"]>;
export const isMethod = (m: string): m is Method => Object.hasOwn(METHODS, m);

/** Methods that change something: refused with SHUTTING_DOWN while the daemon drains. */
export const MUTATING: ReadonlySet<Method> = new Set([
  "plan.submit", "plan.rerun", "plan.forget", "plan.approve", "plan.pause", "plan.resume", "plan.cancel", "agent.retry", "agent.cancel", "agent.note",
  "purple_update_status", "purple_set_phase", "purple_report_progress", "purple_progress_start_ticket", "purple_progress_complete_ticket",
]);

export const RpcId = z.union([z.string(), z.number(), z.null()]);
export const RpcRequest = z.object({ jsonrpc: z.literal("2.0"), id: RpcId.optional(), method: z.string(), params: z.unknown().optional() });
export type RpcRequest = z.infer<typeof RpcRequest>;

export const RpcError = z.object({ code: z.number().int(), message: z.string(), data: z.object({ code: z.string() }).passthrough().optional() });
export type RpcError = z.infer<typeof RpcError>;

export const RpcResponse = z.union([
  z.object({ jsonrpc: z.literal("2.0"), id: RpcId, result: z.unknown() }),
  z.object({ jsonrpc: z.literal("2.0"), id: RpcId, error: RpcError }),
]);
export type RpcResponse = z.infer<typeof RpcResponse>;

/** What events.subscribe streams: `{"jsonrpc":"2.0","method":"event","params":<PlanEvent>}`. */
export const RpcEventNotification = z.object({ jsonrpc: z.literal("2.0"), method: z.literal("event"), params: PlanEvent });
export type RpcEventNotification = z.infer<typeof RpcEventNotification>;

/** Longest request line the daemon reads before answering REQUEST_TOO_LARGE and closing. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
