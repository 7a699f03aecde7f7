// What the daemon provides behind the control socket; its own file so that the server and
// dispatch can both name it without importing each other.
import type { PurpleError } from "../../protocol/errors.ts";
import type { PlanEvent } from "../../protocol/events.ts";
import type { Method, ParamsOf, ResultOf } from "../../protocol/rpc.ts";

/** What the daemon provides behind the socket. */
export interface RpcHandler {
  /** run a validated call; throw PurpleError (code → error.data.code) for failures */
  call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> | ResultOf<M>;
  /** stream events (filtered by plan when given) until the returned function is called */
  subscribe(filter: { plan?: string }, send: (event: PlanEvent) => void): () => void;
  /** while true, MUTATING methods are refused with SHUTTING_DOWN */
  isDraining(): boolean;
  /**
   * Optional gate before params are validated: refuse the call (a PurpleError, e.g. FORBIDDEN on an
   * agent channel) or return the params to validate instead (e.g. with the caller's plan filled in).
   */
  admit?(method: Method, params: unknown): { params: unknown } | PurpleError;
}
