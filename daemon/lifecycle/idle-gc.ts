// purpled's memory at rest: a plan's work leaves garbage that JSC collects only under pressure,
// and the allocators hand pages back to the system only after a collection. So once a plan has
// ended and the daemon has been quiet (no event) for a moment, one full collection runs. It is
// memory housekeeping only: nothing waits on it, and any event postpones it.
import type { PlanEvent } from "../../protocol/events.ts";
import { TERMINAL_PLAN_STATES } from "../../protocol/status.ts";

export interface IdleCollector {
  /** every event the engine publishes */
  onEvent(e: PlanEvent): void;
  stop(): void;
}

/** Collect garbage `quietMs` after the last event, once a plan has ended since the last collection. */
export function idleCollector(quietMs = 1000, collect: () => void = () => Bun.gc(true)): IdleCollector {
  let due = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    due = false;
    collect();
  };
  return {
    onEvent(e) {
      if (e.type === "plan.state" && TERMINAL_PLAN_STATES.includes(e.to)) due = true;
      if (!due) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, quietMs);
      timer.unref();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
