// A lenient reading of a plan that failed the schema, so the semantic checks can still run and
// every problem is reported in one pass. Only well-typed pieces are kept; indices are preserved.
import type { PlanGraph } from "./check-plan.ts";

/** The ids, references and territories of a raw plan object, or null when it is not plan-shaped at all. */
export function salvagePlan(raw: unknown): PlanGraph | null {
  if (!isObject(raw)) return null;
  return {
    agents: list(raw.agents).map((a) => ({
      id: str(a.id),
      territory: strings(a.territory),
      dependsOn: strings(a.dependsOn),
      tickets: list(a.tickets).map((t) => ({ id: str(t.id) })),
    })),
    waves: list(raw.waves).map((w) => ({ id: str(w.id), agents: strings(w.agents), gate: list(w.gate) })),
    contracts: list(raw.contracts).map((c) => ({
      id: str(c.id),
      owner: str(c.owner),
      consumers: strings(c.consumers),
      checks: list(c.checks),
    })),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// An array's elements as objects (non-objects become empty ones, keeping positions).
function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

// An array's strings, non-strings left as holes so that positions (and problem paths) stay right.
function strings(v: unknown): (string | undefined)[] {
  return Array.isArray(v) ? v.map(str) : [];
}
