// The prompt an agent receives: the plan's goal, its role, territory, tickets and the contracts it touches.
import type { Agent, Plan } from "../protocol/index.ts";

/** Render one agent's prompt as markdown. */
export function renderPrompt(plan: Plan, agent: Agent, wave: string): string {
  const lines = [`# ${plan.name}: agent ${agent.id}`, ""];
  if (plan.goal) lines.push(`## Goal`, plan.goal, "");
  lines.push(`## Your role`, agent.role || agent.name || agent.id, "", `You work in wave \`${wave}\`.`, "");
  lines.push(`## Your territory`, "You may create, change and delete only these paths (relative to the project root); anything else you change is reverted and fails your run:");
  lines.push(...(agent.territory.length ? agent.territory.map((t) => `- \`${t}\``) : ["- (none: read only)"]), "");
  if (agent.tickets.length) {
    lines.push("## Tickets");
    for (const t of agent.tickets) lines.push(`- **${t.id}** ${t.title}${t.description ? `\n  ${t.description.replace(/\n/g, "\n  ")}` : ""}`);
    lines.push("");
  }
  const owned = plan.contracts.filter((c) => c.owner === agent.id);
  const consumed = plan.contracts.filter((c) => c.consumers.includes(agent.id));
  if (owned.length || consumed.length) {
    lines.push("## Integration contracts");
    for (const c of owned) lines.push(`- you own \`${c.id}\`${c.spec ? ` (spec: ${c.spec})` : ""}; its checks must pass before you count as completed`);
    for (const c of consumed) lines.push(`- you consume \`${c.id}\`${c.spec ? ` (spec: ${c.spec})` : ""}`);
    lines.push("");
  }
  if (agent.prompt) lines.push("## Instructions", agent.prompt, "");
  return lines.join("\n");
}
