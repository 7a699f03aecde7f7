// What the daemon provides behind the control socket; its own file so that the server and
// dispatch can both name it without importing each other.
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
}
