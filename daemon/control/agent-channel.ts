// The agent channel (SPEC §8): each attempt gets its own socket, bound into its sandbox as the only
// way to purple. Same server and wire format as the admin socket, but it serves only what an agent
// may do for itself: the purple_* status and progress methods and agent.note for its own plan and
// agent (`plan` and `agent` are implied; naming another is FORBIDDEN, and so is a ticket of another
// agent), and daemon.status (showing only its own plan). Every other method answers FORBIDDEN.
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import type { Logger } from "../../lib/logger.ts";
import { PurpleError, SOCKET_PATH_LIMIT, type Method, type ParamsOf, type PlanEvent, type ResultOf } from "../../protocol/index.ts";
import { ControlServer, type RpcHandler } from "./server.ts";

/** Methods an agent may call on its own channel. */
const AGENT_METHODS: ReadonlySet<string> = new Set([
  "daemon.status",
  "agent.note",
  "purple_update_status",
  "purple_set_phase",
  "purple_report_progress",
  "purple_progress_start_ticket",
  "purple_progress_complete_ticket",
]);
// Of those, the ones whose params carry the agent's name (filled in when absent).
const NAMES_AGENT: ReadonlySet<string> = new Set(["agent.note", "purple_update_status", "purple_report_progress", "purple_progress_start_ticket", "purple_progress_complete_ticket"]);

export interface AgentIdentity {
  plan: string;
  agent: string;
  /** does this ticket id belong to the agent? */
  ownsTicket: (ticketId: string) => boolean;
}

/** The handler behind one agent's channel: the admin handler, narrowed to what the agent may do. */
export class AgentChannelHandler implements RpcHandler {
  constructor(private readonly inner: RpcHandler, private readonly who: AgentIdentity) {}

  admit(method: string, params: unknown): { params: unknown } | PurpleError {
    if (!AGENT_METHODS.has(method)) return forbidden(`${method} is not open to agents: an agent channel serves only ${[...AGENT_METHODS].join(", ")}`);
    if (method === "daemon.status") return { params };
    const p = params === undefined ? {} : params;
    if (typeof p !== "object" || p === null || Array.isArray(p)) return { params };
    const given = p as Record<string, unknown>;
    if (given.plan !== undefined && given.plan !== this.who.plan) return forbidden(`${method}: this channel serves plan ${this.who.plan} only, not ${JSON.stringify(given.plan)}`);
    if (given.agent !== undefined && given.agent !== this.who.agent) return forbidden(`${method}: this channel serves agent ${this.who.agent} only, not ${JSON.stringify(given.agent)}`);
    const ticket = given.ticketId;
    if (typeof ticket === "string" && !this.who.ownsTicket(ticket)) return forbidden(`${method}: ticket ${JSON.stringify(ticket)} is not one of agent ${this.who.agent}'s tickets`);
    return { params: { ...given, plan: this.who.plan, ...(NAMES_AGENT.has(method) ? { agent: this.who.agent } : {}) } };
  }

  async call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (!AGENT_METHODS.has(method)) throw forbidden(`${method} is not open to agents`);
    const result = await this.inner.call(method, params);
    if (method === "daemon.status") {
      const status = result as ResultOf<"daemon.status">;
      return { ...status, plans: status.plans.filter((p) => p.plan === this.who.plan) } as ResultOf<M>;
    }
    return result;
  }

  subscribe(_filter: { plan?: string }, _send: (event: PlanEvent) => void): () => void {
    throw forbidden("events.subscribe is not open to agents");
  }

  isDraining(): boolean {
    return this.inner.isDraining();
  }
}

const forbidden = (message: string) => new PurpleError("FORBIDDEN", message);

/** A socket path for a new channel beside the admin socket (a private folder no sandbox sees). */
export function channelPath(adminSocket: string): string {
  const name = `a-${randomBytes(6).toString("hex")}.sock`;
  const beside = join(dirname(adminSocket), name);
  if (Buffer.byteLength(beside) <= SOCKET_PATH_LIMIT) return beside;
  return join(`/tmp/purple-${process.getuid?.() ?? 0}`, name);
}

/** Open an agent's channel; close() removes its socket. */
export async function openAgentChannel(adminSocket: string, inner: RpcHandler, who: AgentIdentity, logger: Logger): Promise<{ path: string; close(): Promise<void> }> {
  const server = await ControlServer.listen(channelPath(adminSocket), new AgentChannelHandler(inner, who), { logger });
  return { path: server.path, close: () => server.close() };
}

/** Open the channel of one agent: the admin handler narrowed to that agent and its own tickets. */
export function openChannelFor(inner: RpcHandler, adminSocket: string, plan: string, agent: string, tickets: () => readonly string[], logger: Logger): Promise<{ path: string; close(): Promise<void> }> {
  return openAgentChannel(adminSocket, inner, { plan, agent, ownsTicket: (t) => tickets().includes(t) }, logger);
}
