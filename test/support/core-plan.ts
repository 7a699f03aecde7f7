// A plan driven through the pure scheduler core by hand, for core tests: accepted, then stepped
// and settled (decide's actions applied until it has nothing more to say) at a fixed time.
import { Plan, type PlanInput, type Step } from "../../protocol/index.ts";
import { decide, type PlanRef } from "../../daemon/core/decide.ts";
import { DEFAULT_RETRY, type Reduced } from "../../daemon/core/outcomes.ts";
import { indexPlan } from "../../daemon/core/plan-index.ts";
import { reduce, type Rules } from "../../daemon/core/reduce.ts";
import { initialRunState } from "../../daemon/core/state.ts";

export const coreRules: Rules = { retry: DEFAULT_RETRY };

/** Plan `t`, accepted (queued). */
export function corePlan(input: Omit<PlanInput, "apiVersion" | "name">): PlanRef {
  const index = indexPlan(Plan.parse({ apiVersion: "purple/v1", name: "t", ...input }));
  const run = initialRunState(index);
  reduce(index, run, { type: "accept", approval: false }, 0, coreRules);
  return { index, run };
}

export const coreStep = (p: PlanRef, s: Step): Reduced => reduce(p.index, p.run, s, 1, coreRules);

/** Apply decide's actions until none is left: what it did, `start <agent>` for a start, else the action's type. */
export function settle(p: PlanRef): string[] {
  const actions: string[] = [];
  for (let i = 0; i < 50; i++) {
    const { actions: got } = decide([p], { maxAgents: 10 }, 1);
    if (got.length === 0) return actions;
    for (const d of got) {
      reduce(p.index, p.run, d.action, 1, coreRules);
      actions.push(d.action.type === "start-agent" ? `start ${d.action.agent}` : d.action.type);
    }
  }
  throw new Error("did not settle");
}
