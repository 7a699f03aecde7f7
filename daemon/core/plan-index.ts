// A plan compiled once for scheduling: agents by id, their wave, compiled territory and effective limits.
import { parseDuration, territoryOf, type Agent, type GateCheck, type Plan, type Territory } from "../../protocol/index.ts";

export interface AgentInfo {
  id: string;
  agent: Agent;
  wave: string;
  waveIndex: number;
  territory: Territory;
  deps: readonly string[];
  retries: number;
  timeoutMs: number;
}

export interface WaveInfo {
  id: string;
  title: string | null;
  agents: AgentInfo[];
  gate: GateCheck[];
}

export interface PlanIndex {
  plan: Plan;
  agents: Map<string, AgentInfo>;
  waves: WaveInfo[];
}

/** Index a plan that has passed the plan checks (every reference resolves, each agent in one wave). */
export function indexPlan(plan: Plan): PlanIndex {
  const byId = new Map(plan.agents.map((a) => [a.id, a]));
  const agents = new Map<string, AgentInfo>();
  const waves = plan.waves.map((w, waveIndex): WaveInfo => {
    const infos = w.agents.map((id): AgentInfo => {
      const agent = byId.get(id);
      if (!agent) throw new Error(`wave ${w.id} names unknown agent ${id}`);
      const info: AgentInfo = {
        id,
        agent,
        wave: w.id,
        waveIndex,
        territory: territoryOf(agent.territory),
        deps: agent.dependsOn,
        retries: agent.retries ?? plan.defaults.retries,
        timeoutMs: parseDuration(agent.timeout ?? plan.defaults.timeout),
      };
      agents.set(id, info);
      return info;
    });
    return { id: w.id, title: w.title ?? null, agents: infos, gate: w.gate };
  });
  return { plan, agents, waves };
}
