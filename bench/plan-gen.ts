// Generated plans for benchmarks: N agents in W waves, disjoint territories, a dependsOn chain per wave.
import type { PlanInput } from "../protocol/index.ts";

export function generatePlan(agents: number, waves: number, opts: { name?: string; maxAgents?: number } = {}): PlanInput {
  const perWave = Math.ceil(agents / waves);
  const plan: PlanInput = { apiVersion: "purple/v1", name: opts.name ?? "bench", maxAgents: opts.maxAgents ?? 8, defaults: { runner: "command", retries: 0 }, agents: [], waves: [] };
  for (let w = 0; w < waves; w++) {
    const ids: string[] = [];
    for (let i = 0; i < perWave && w * perWave + i < agents; i++) {
      const id = `w${w}-a${i}`;
      ids.push(id);
      // every tenth agent depends on the one before it: dependency waits inside a wave
      plan.agents.push({ id, territory: [`src/w${w}/a${i}/`], dependsOn: i % 10 === 9 ? [`w${w}-a${i - 1}`] : [], tickets: [{ id: `T-${w}-${i}`, title: `ticket ${i} of wave ${w}` }] });
    }
    plan.waves.push({ id: `wave-${w + 1}`, agents: ids, gate: [{ exists: "." }] });
  }
  return plan;
}
