// What validate and submit need without a daemon: the inbox's own check and atomic placement
// (inbox/submit.ts, the same code plan.submit runs in purpled), and the canonical YAML.
import YAML from "yaml";
import type { Plan } from "../protocol/index.ts";

export { checkPlanAt, submitToInbox, type Checked } from "../inbox/submit.ts";

/** The canonical YAML of a checked plan. */
export const canonicalYaml = (plan: Plan): string => YAML.stringify(plan);
