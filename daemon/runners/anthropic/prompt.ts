// The anthropic agent's prompt, built for prompt caching. The PREFIX — working standards, the plan's
// goal, allowed commands, waves and agents, every contract with its spec — depends only on the plan
// and its folder, so every agent of a plan sends byte-identical system blocks (and the same tools)
// and all but the first read them from the cache. Everything about one agent (its id, role,
// territory, tickets, dependencies) goes in the first user message, after the cached prefix.
import { realpathSync } from "node:fs";
import { join } from "node:path";
import type { TextBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { Agent, Contract, Plan } from "../../../protocol/index.ts";
import { readHead, relativeInside } from "./safe-fs.ts";

/** The system blocks (the shared prefix) and the agent's first message. */
export interface RenderedPrompt {
  system: TextBlockParam[];
  firstMessage: string;
}

const SPEC_CAP_BYTES = 16 * 1024;
const SPECS_TOTAL_CAP_BYTES = 64 * 1024;

const STANDARDS = `You are a coding agent run by purple, a daemon that runs several agents on one project from an orchestration plan. Each agent owns a territory: the only paths it may write. Other agents may be working beside you at this moment.

# Working standards
- Read before you write: look at the files you change and at the code around them.
- Write only inside your territory. A write outside it is refused; anything outside it that changes anyway is reverted and fails your run. .git/ and .context-kit/orchestration/ are never writable.
- Keep to the integration contracts: when you own one, make its spec true; when you consume one, rely only on what it promises.
- Make each change complete: every file you write must be whole and working, not a sketch or a placeholder.
- When the plan allows commands (tests, type checks), run them before you finish and fix what they report.
- Report as you go: start_ticket when you begin a ticket, complete_ticket when its work is written, report_status for what you are doing now.
- When a tool answers with an error, read it and change your approach; do not repeat the same call.
- When every ticket is done, call finish with a short summary of what you changed. Do not end your turn without calling finish.`;

/** The prompt for one agent of a plan. */
export function buildPrompt(plan: Plan, agent: Agent, wave: string, planDir: string): RenderedPrompt {
  const specs = new SpecReader(planDir);
  return {
    system: [
      { type: "text", text: STANDARDS },
      { type: "text", text: planText(plan, specs), cache_control: { type: "ephemeral" } },
    ],
    firstMessage: agentText(plan, agent, wave, new SpecReader(planDir), "Work through your tickets with the tools, then call finish."),
  };
}

/**
 * The two parts of the prompt for a runner with its own working standards and tools (claude-code):
 * the plan-wide part (identical for every agent of the plan) and the agent's own part, which
 * ends with `begin`.
 */
export function promptParts(plan: Plan, agent: Agent, wave: string, planDir: string, begin: string): { plan: string; agent: string } {
  return { plan: planText(plan, new SpecReader(planDir)), agent: agentText(plan, agent, wave, new SpecReader(planDir), begin) };
}

/** The prompt as one markdown document (for prompt.md). */
export function promptMarkdown(p: RenderedPrompt): string {
  return [`<!-- system prompt: shared by every agent of the plan -->`, ...p.system.map((b) => b.text), `<!-- first user message -->`, p.firstMessage, ""].join("\n\n");
}

/** The ticket ids an agent may start and complete (its own id when it lists none, as status files do). */
export function ticketIdsOf(agent: Agent): string[] {
  return agent.tickets.length ? agent.tickets.map((t) => t.id) : [agent.id];
}

// The plan-wide part: nothing here may depend on which agent is asking.
function planText(plan: Plan, specs: SpecReader): string {
  const out = [`# The plan: ${plan.name}`, "", "## Goal", plan.goal || "(no goal was written; follow the tickets)", ""];
  out.push("## Allowed commands (run_command)");
  if (plan.defaults.allowedCommands.length) out.push(...plan.defaults.allowedCommands.map((c) => `- \`${c}\``));
  else out.push("- none: run_command refuses every command in this plan");
  out.push("", "## Waves and agents", "Waves run in order; the agents of one wave run at the same time.");
  const byId = new Map(plan.agents.map((a) => [a.id, a]));
  for (const w of plan.waves) {
    out.push("", `### ${w.id}${w.title ? `: ${w.title}` : ""}`);
    for (const id of w.agents) {
      const a = byId.get(id);
      if (!a) continue;
      const deps = a.dependsOn.length ? `; depends on ${a.dependsOn.join(", ")}` : "";
      out.push(`- **${a.id}**: ${oneLine(a.role || a.name || "(no role given)")}; territory ${territoryText(a.territory)}${deps}; tickets ${ticketIdsOf(a).join(", ")}`);
    }
  }
  out.push("", "## Integration contracts");
  if (plan.contracts.length === 0) out.push("None.");
  for (const c of plan.contracts) out.push("", ...contractText(c, specs));
  return out.join("\n");
}

// The agent's own part: the first user message. It starts with the line the API log and the
// scripted test server use to tell agents apart.
function agentText(plan: Plan, agent: Agent, wave: string, specs: SpecReader, begin: string): string {
  const out = [`Agent: ${agent.id}`, `Wave: ${wave}`, "", `You are agent **${agent.id}** of the plan ${plan.name}.`, ""];
  out.push("## Your role", agent.role || agent.name || "(no role given: follow your tickets)", "");
  out.push("## Your territory", "You may create and change only these paths (relative to the project root):");
  out.push(...(agent.territory.length ? agent.territory.map((t) => `- \`${t}\``) : ["- none: you may read but not write"]), "");
  out.push("## Your tickets");
  if (agent.tickets.length) {
    for (const t of agent.tickets) out.push(`- **${t.id}** ${t.title}${t.description ? `\n  ${t.description.replace(/\n/g, "\n  ")}` : ""}`);
  } else {
    out.push(`- **${agent.id}** ${agent.role || "your role above"} (you have no separate tickets: use ${agent.id} as the ticket id)`);
  }
  out.push("");
  if (agent.dependsOn.length) out.push("## You build on", ...agent.dependsOn.map((d) => `- ${d} (completed before you started)`), "");
  const published = plan.contracts.filter((c) => c.owner !== undefined && agent.dependsOn.includes(c.owner));
  if (published.length) {
    out.push("## Contracts published to you", "Agents you depend on own these contracts; build on what they promise.");
    for (const c of published) out.push("", ...contractText(c, specs));
    out.push("");
  }
  const owned = plan.contracts.filter((c) => c.owner === agent.id);
  const consumed = plan.contracts.filter((c) => c.consumers.includes(agent.id) && !published.includes(c));
  if (owned.length || consumed.length) {
    out.push("## Your contracts");
    for (const c of owned) out.push(`- you own **${c.id}**: its checks must pass before you count as completed`);
    for (const c of consumed) out.push(`- you consume **${c.id}** (see the plan's contracts)`);
    out.push("");
  }
  if (agent.prompt) out.push("## Instructions", agent.prompt, "");
  out.push("## Begin", begin);
  return out.join("\n");
}

function contractText(c: Contract, specs: SpecReader): string[] {
  const who = [`owner: ${c.owner ?? "none"}`, `consumers: ${c.consumers.length ? c.consumers.join(", ") : "none"}`].join("; ");
  const out = [`### ${c.id}${c.title ? `: ${c.title}` : ""} (${who})`];
  if (c.checks.length) out.push(`Checks: ${c.checks.map((k) => oneLine(JSON.stringify(k))).join("; ")}`);
  if (c.spec) {
    const text = specs.read(c.spec);
    out.push(`Spec (${c.spec}):`, "````text", text, "````");
  }
  return out;
}

// Reads contract specs under the plan folder, each capped, all together capped.
class SpecReader {
  private left = SPECS_TOTAL_CAP_BYTES;
  constructor(private readonly planDir: string) {}

  read(spec: string): string {
    if (this.left <= 0) return "(not included: the specs already shown reach the size limit)";
    let base: string, abs: string;
    try {
      base = realpathSync(this.planDir);
      abs = realpathSync(join(base, spec));
    } catch {
      return "(the spec file could not be read)";
    }
    if (!relativeInside(base, abs)) return "(not included: the spec file is outside the plan folder)";
    const head = readHead(abs, Math.min(SPEC_CAP_BYTES, this.left));
    if (head.kind === "directory" || head.kind === "other") return "(the spec is not a regular file)";
    if (head.kind !== "file") return "(the spec file could not be read)";
    this.left -= head.bytes.length;
    const text = head.bytes.toString("utf8").replace(/````/g, "'''");
    return head.size > head.bytes.length ? `${text}\n[... cut: the spec is ${head.size} bytes]` : text;
  }
}

function territoryText(territory: readonly string[]): string {
  return territory.length ? territory.map((t) => `\`${t}\``).join(", ") : "(none: read only)";
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
