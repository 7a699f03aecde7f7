// The schedule a plan would follow, worked out before it runs (`purplectl plan`): waves in order,
// and inside each wave, steps of agents that run together — every agent whose dependencies are
// done, at most `maxAgents` at once, in plan order — plus the critical path. A step stands for
// one agent attempt of unknown length: this is the order and the parallelism, not a timetable.
import type { Plan } from "../../protocol/plan.ts";

export interface WaveSchedule {
  wave: string;
  title: string | null;
  /** agent ids started together, step by step */
  steps: string[][];
  /** the gate checks that run after the wave's agents, as text */
  gate: string[];
}

export interface Schedule {
  waves: WaveSchedule[];
  /** steps in all (the makespan, counted in attempts) */
  steps: number;
  /** the longest chain of agents that must run one after another, across every wave */
  criticalPath: string[];
  /** the most agents that run at once */
  widest: number;
}

/** Work out the plan's schedule under its maxAgents. */
export function scheduleOf(plan: Plan): Schedule {
  const agents = new Map(plan.agents.map((a) => [a.id, a]));
  const waves: WaveSchedule[] = [];
  const criticalPath: string[] = [];
  let widest = 0;
  for (const wave of plan.waves) {
    const inWave = new Set(wave.agents);
    const done = new Set<string>();
    const left = [...wave.agents];
    const steps: string[][] = [];
    while (left.length > 0) {
      // Dependencies outside the wave ran in an earlier one (the plan check refuses anything else).
      const ready = left.filter((id) => (agents.get(id)?.dependsOn ?? []).every((d) => !inWave.has(d) || done.has(d))).slice(0, plan.maxAgents);
      if (ready.length === 0) break; // a cycle: the plan check refuses it before this is reached
      steps.push(ready);
      widest = Math.max(widest, ready.length);
      for (const id of ready) {
        done.add(id);
        left.splice(left.indexOf(id), 1);
      }
    }
    criticalPath.push(...longestChain(wave.agents, inWave, (id) => agents.get(id)?.dependsOn ?? []));
    waves.push({ wave: wave.id, title: wave.title ?? null, steps, gate: wave.gate.map(checkText) });
  }
  return { waves, steps: waves.reduce((n, w) => n + w.steps.length, 0), criticalPath, widest };
}

// The longest dependsOn chain among a wave's agents (ties: the first in plan order).
function longestChain(ids: string[], inWave: Set<string>, deps: (id: string) => string[]): string[] {
  const memo = new Map<string, string[]>();
  const chainTo = (id: string, seen: Set<string>): string[] => {
    const known = memo.get(id);
    if (known) return known;
    let best: string[] = [];
    for (const d of deps(id)) {
      if (!inWave.has(d) || seen.has(d)) continue;
      const c = chainTo(d, new Set([...seen, d]));
      if (c.length > best.length) best = c;
    }
    const chain = [...best, id];
    memo.set(id, chain);
    return chain;
  };
  let longest: string[] = [];
  for (const id of ids) {
    const c = chainTo(id, new Set([id]));
    if (c.length > longest.length) longest = c;
  }
  return longest;
}

/** A gate check as one line: its kind and what it checks. */
export function checkText(check: Plan["waves"][number]["gate"][number]): string {
  const [kind, value] = Object.entries(check)[0]!;
  if (typeof value === "string") return `${kind} ${value}`;
  if (kind === "run") return `run ${(value as { command: string }).command}`;
  if (kind === "contains") return `contains ${(value as { file: string; pattern: string }).file} /${(value as { pattern: string }).pattern}/`;
  if (kind === "exports") return `exports ${(value as { file: string; names: string[] }).file}: ${(value as { names: string[] }).names.join(", ")}`;
  return `${kind} ${JSON.stringify(value)}`;
}
