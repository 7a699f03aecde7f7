// The semantic checks of a canonical plan (SPEC §4) that a schema cannot express: ids, references,
// cycles, wave membership, territories that escape the root or collide inside a wave. Pure and fast.
import type { Problem } from "../protocol/errors.ts";
import type { Plan } from "../protocol/plan.ts";
import { territoryEntryProblem, territoryOf } from "../protocol/territory.ts";
import { findCycles, Reachability } from "./graph.ts";
import { literalPrefixes, territoryLimitProblem } from "./territory-entry.ts";

/**
 * What the checks read of a plan. A parsed Plan fits; so does the partial plan salvaged from input
 * that failed the schema (ids may be missing there), which lets one pass report every problem.
 */
export interface PlanGraph {
  agents: readonly { id?: string; territory: readonly Ref[]; dependsOn: readonly Ref[]; tickets: readonly { id?: string }[] }[];
  waves: readonly { id?: string; agents: readonly Ref[]; gate: readonly object[] }[];
  contracts: readonly { id?: string; owner?: string; consumers: readonly Ref[]; checks: readonly object[] }[];
}

/** An id or entry; undefined where salvaged input held something that is not a string. */
type Ref = string | undefined;

/** Every semantic problem of a plan, in a stable order; empty when it can run. */
export function checkPlan(plan: Plan | PlanGraph): Problem[] {
  const problems: Problem[] = [];
  const agentIndex = indexIds(plan.agents, "agents", "agent", problems);
  indexIds(plan.waves, "waves", "wave", problems);
  const contractIndex = indexIds(plan.contracts, "contracts", "contract", problems);
  checkTicketIds(plan, problems);
  const waveOf = checkWaveMembership(plan, agentIndex, problems);
  const deps = checkDependsOn(plan, agentIndex, waveOf, problems);
  checkContracts(plan, agentIndex, contractIndex, problems);
  for (const cycle of findCycles(deps)) {
    const names = cycle.nodes.map((i) => plan.agents[i]!.id!);
    problems.push({ path: `agents.${cycle.from}.dependsOn.${cycle.slot}`, message: `dependency cycle: ${describeCycle(names)}` });
  }
  const checkable = checkTerritoryEntries(plan, problems);
  for (let w = 0; w < plan.waves.length; w++) checkWaveOverlaps(plan, w, agentIndex, waveOf, deps, checkable, problems);
  return problems;
}

// id → index of its first definition; later duplicates are problems.
function indexIds(items: readonly { id?: string }[], key: string, what: string, problems: Problem[]): Map<string, number> {
  const index = new Map<string, number>();
  items.forEach((item, i) => {
    if (typeof item.id !== "string") return;
    const first = index.get(item.id);
    if (first === undefined) index.set(item.id, i);
    else problems.push({ path: `${key}.${i}.id`, message: `duplicate ${what} id "${item.id}" (first defined at ${key}.${first})` });
  });
  return index;
}

function checkTicketIds(plan: PlanGraph, problems: Problem[]): void {
  const seen = new Map<string, string>();
  plan.agents.forEach((agent, i) =>
    agent.tickets.forEach((ticket, t) => {
      if (typeof ticket.id !== "string") return;
      const path = `agents.${i}.tickets.${t}`;
      const first = seen.get(ticket.id);
      if (first === undefined) seen.set(ticket.id, path);
      else problems.push({ path: `${path}.id`, message: `duplicate ticket id "${ticket.id}" (first defined at ${first})` });
    }),
  );
}

// Every agent must be in exactly one wave. Returns each agent's wave index (-1: none).
function checkWaveMembership(plan: PlanGraph, agentIndex: Map<string, number>, problems: Problem[]): Int32Array {
  const waveOf = new Int32Array(plan.agents.length).fill(-1);
  plan.waves.forEach((wave, w) => {
    // A gate-only wave is fine (its gate runs once the waves before it passed); an empty one is not.
    if (wave.agents.length === 0 && wave.gate.length === 0)
      problems.push({ path: `waves.${w}.agents`, message: `wave "${wave.id ?? w}" has no agents and no gate; give it agents, or a gate to run once the waves before it passed` });
    wave.agents.forEach((id, k) => {
      if (id === undefined) return;
      const path = `waves.${w}.agents.${k}`;
      const a = agentIndex.get(id);
      if (a === undefined) return void problems.push({ path, message: `wave "${wave.id}" lists agent "${id}", which is not defined` });
      const other = waveOf[a]!;
      if (other === w) problems.push({ path, message: `agent "${id}" is listed twice in wave "${wave.id}"` });
      else if (other >= 0) problems.push({ path, message: `agent "${id}" is already in wave "${plan.waves[other]!.id}"; an agent belongs to one wave` });
      else waveOf[a] = w;
    });
  });
  plan.agents.forEach((agent, i) => {
    if (typeof agent.id === "string" && agentIndex.get(agent.id) === i && waveOf[i] === -1)
      problems.push({ path: `agents.${i}`, message: `agent "${agent.id}" is in no wave; add it to one wave's agents` });
  });
  return waveOf;
}

// dependsOn must name other, defined agents of the same or an earlier wave. Returns the graph as
// adjacency lists aligned with each dependsOn array (-1 where the entry is not a usable edge).
function checkDependsOn(plan: PlanGraph, agentIndex: Map<string, number>, waveOf: Int32Array, problems: Problem[]): number[][] {
  return plan.agents.map((agent, i) =>
    agent.dependsOn.map((dep, j) => {
      if (dep === undefined) return -1;
      const path = `agents.${i}.dependsOn.${j}`;
      const d = agentIndex.get(dep);
      if (d === undefined) {
        problems.push({ path, message: `agent "${agent.id}" depends on "${dep}", which is not defined` });
        return -1;
      }
      if (d === i || dep === agent.id) {
        problems.push({ path, message: `agent "${dep}" depends on itself` });
        return -1;
      }
      const mine = waveOf[i]!, theirs = waveOf[d]!;
      if (mine >= 0 && theirs > mine)
        problems.push({
          path,
          message: `agent "${agent.id}" depends on "${dep}", which runs in a later wave ("${plan.waves[theirs]!.id}"), so it could never start`,
        });
      return d;
    }),
  );
}

function checkContracts(plan: PlanGraph, agentIndex: Map<string, number>, contractIndex: Map<string, number>, problems: Problem[]): void {
  const checkRefs = (checks: readonly object[], base: string, self?: string): void =>
    checks.forEach((check, j) => {
      const ref = (check as { contract?: unknown }).contract;
      if (typeof ref !== "string") return;
      const path = `${base}.${j}.contract`;
      if (!contractIndex.has(ref)) problems.push({ path, message: `contract "${ref}" is not defined` });
      else if (ref === self) problems.push({ path, message: `contract "${ref}" refers to itself` });
    });
  plan.contracts.forEach((contract, c) => {
    if (contract.owner !== undefined && !agentIndex.has(contract.owner))
      problems.push({ path: `contracts.${c}.owner`, message: `contract "${contract.id}" is owned by "${contract.owner}", which is not a defined agent` });
    contract.consumers.forEach((id, k) => {
      if (id !== undefined && !agentIndex.has(id))
        problems.push({ path: `contracts.${c}.consumers.${k}`, message: `contract "${contract.id}" names consumer "${id}", which is not a defined agent` });
    });
    checkRefs(contract.checks, `contracts.${c}.checks`, contract.id);
  });
  plan.waves.forEach((wave, w) => checkRefs(wave.gate, `waves.${w}.gate`));
}

// Lexical territory problems. Returns, per agent, whether its territory is sane enough to compare.
function checkTerritoryEntries(plan: PlanGraph, problems: Problem[]): boolean[] {
  return plan.agents.map((agent, i) => {
    let ok = true;
    agent.territory.forEach((entry, j) => {
      if (entry === undefined) return void (ok = false);
      const why = territoryEntryProblem(entry) ?? territoryLimitProblem(entry);
      if (why === null) return;
      ok = false;
      problems.push({ path: `agents.${i}.territory.${j}`, message: `territory ${JSON.stringify(entry)} ${why}` });
    });
    return ok;
  });
}

// Two agents of one wave may run at once, so their territories must not overlap unless one waits
// for the other. Candidates come from a trie of literal prefixes: only entries whose prefixes are
// prefixes of one another can overlap, which keeps 10,000 disjoint `src/<x>/` agents linear.
function checkWaveOverlaps(plan: PlanGraph, w: number, agentIndex: Map<string, number>, waveOf: Int32Array, deps: number[][], checkable: boolean[], problems: Problem[]): void {
  const local: number[] = [];
  const localOf = new Map<number, number>();
  for (const id of plan.waves[w]!.agents) {
    const a = id === undefined ? undefined : agentIndex.get(id);
    if (a === undefined || waveOf[a] !== w || localOf.has(a)) continue;
    localOf.set(a, local.length);
    local.push(a);
  }
  if (local.length < 2) return;
  const territories = local.map((i) => (checkable[i] ? (plan.agents[i]!.territory as readonly string[]) : []));
  const pairs = candidatePairs(territories);
  if (pairs.length === 0) return;
  const reach = new Reachability(local.map((i) => deps[i]!.map((d) => (d >= 0 ? (localOf.get(d) ?? -1) : -1))));
  let reported = 0;
  for (const [x, y] of pairs) {
    const a = local[x]!, b = local[y]!;
    if (!territoryOf(territories[x]!).overlaps(territoryOf(territories[y]!))) continue;
    if (reach.reaches(x, y) || reach.reaches(y, x)) continue;
    const [first, second] = a < b ? [a, b] : [b, a];
    if (++reported > MAX_OVERLAPS_PER_WAVE) {
      problems.push({ path: `waves.${w}`, message: `more than ${MAX_OVERLAPS_PER_WAVE} overlapping territories in wave "${plan.waves[w]!.id}"; the rest are not listed` });
      return;
    }
    problems.push({
      path: `agents.${second}.territory`,
      message:
        `territory of agent "${plan.agents[second]!.id}" overlaps that of agent "${plan.agents[first]!.id}" in wave "${plan.waves[w]!.id}"; ` +
        `make one dependsOn the other or split the territories`,
    });
  }
}

const MAX_OVERLAPS_PER_WAVE = 200;

interface TrieNode {
  children: Map<string, TrieNode>;
  owners: number[];
}

// Pairs [x, y], x < y, of territories with one literal prefix a (segment-wise) prefix of another.
function candidatePairs(territories: (readonly string[])[]): [number, number][] {
  const root: TrieNode = { children: new Map(), owners: [] };
  territories.forEach((entries, owner) => {
    for (const entry of entries)
      for (const prefix of literalPrefixes(entry)) {
        let node = root;
        for (const seg of prefix) {
          let next = node.children.get(seg);
          if (!next) node.children.set(seg, (next = { children: new Map(), owners: [] }));
          node = next;
        }
        if (node.owners[node.owners.length - 1] !== owner) node.owners.push(owner);
      }
  });
  const seen = new Set<number>();
  const pairs: [number, number][] = [];
  const n = territories.length;
  const add = (p: number, q: number): void => {
    if (p === q) return;
    const [x, y] = p < q ? [p, q] : [q, p];
    const key = x * n + y;
    if (seen.has(key)) return;
    seen.add(key);
    pairs.push([x, y]);
  };
  // Walk the trie keeping the owners of every ancestor node on a shared stack.
  const above: number[] = [];
  const walk: { node: TrieNode; enter: boolean }[] = [{ node: root, enter: true }];
  while (walk.length) {
    const { node, enter } = walk.pop()!;
    if (!enter) {
      above.length -= node.owners.length;
      continue;
    }
    for (let i = 0; i < node.owners.length; i++) {
      const o = node.owners[i]!;
      for (let k = i + 1; k < node.owners.length; k++) add(o, node.owners[k]!);
      for (const u of above) add(o, u);
    }
    for (const o of node.owners) above.push(o);
    walk.push({ node, enter: false });
    for (const child of node.children.values()) walk.push({ node: child, enter: true });
  }
  return pairs;
}

function describeCycle(names: string[]): string {
  if (names.length <= 12) return names.join(" → ");
  return [...names.slice(0, 5), "…", ...names.slice(-3)].join(" → ") + ` (${names.length - 1} agents)`;
}
