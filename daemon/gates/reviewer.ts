// The seam between a judge check and the model that answers it. The engine (engine/review.ts)
// picks one Reviewer per plan: the Messages API through the Anthropic SDK (gates/judge.ts), or
// Claude Code headless when the plan's runner is claude-code (gates/judge-claude-code.ts).
// Either way the brief is the same, the answer is the same Verdict, and usage goes through spend.
import { zeroUsage, type Usage } from "../../protocol/index.ts";
import type { View } from "../sandbox/view.ts";
import { judge, type ReviewerAccess } from "./judge.ts";
import type { JudgeBriefInput } from "./judge-brief.ts";
import { noVerdict, type JudgeOutcome } from "./verdict.ts";

/** One judge check's request, beyond its brief. */
export interface ReviewRequest {
  model: string;
  /** charge usage to the plan; false when a budget is now spent */
  spend(usage: Usage): boolean;
  signal?: AbortSignal;
  /** a sandbox view of the project whose writes are discarded (null: `sandbox: off`) */
  view?: () => View | null;
}

export interface Reviewer {
  /** never throws: anything short of a verdict is a failed check saying why */
  review(brief: JudgeBriefInput, request: ReviewRequest): Promise<JudgeOutcome>;
}

/** The reviewer on the Messages API (the anthropic runner's client); null access: no key. */
export function sdkReviewer(access: ReviewerAccess | null): Reviewer {
  return { review: (brief, r) => judge(brief, { access, model: r.model, spend: r.spend, ...(r.signal ? { signal: r.signal } : {}) }) };
}

/** A reviewer that cannot be asked: every check fails saying why. */
export function unavailableReviewer(why: string): Reviewer {
  return { review: async () => noVerdict(why, zeroUsage()) };
}
