// Whether the daemon can serve every runner kind a plan asks for. Checked with the plan (the
// inbox and plan.submit), so a plan whose agents no runner here can start is refused at once
// with RUNNER_UNAVAILABLE instead of failing when its wave starts.
import type { Problem } from "../protocol/errors.ts";
import type { Plan, RunnerKind } from "../protocol/plan.ts";

/** One problem per agent whose runner kind is not among `available`; empty when all can run. */
export function runnerProblems(plan: Plan, available: readonly RunnerKind[]): Problem[] {
  const problems: Problem[] = [];
  plan.agents.forEach((agent, i) => {
    const kind = agent.runner?.kind ?? plan.defaults.runner;
    if (available.includes(kind)) return;
    problems.push({
      path: agent.runner ? `agents.${i}.runner.kind` : "defaults.runner",
      message: `agent ${agent.id} needs the ${kind} runner, which this purpled cannot serve (it serves: ${available.join(", ")}); choose one of those`,
    });
  });
  return problems;
}
