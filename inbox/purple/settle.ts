// Making one wave's agents runnable together: agents whose tickets depend on each other in a
// circle become one agent, and two agents whose territories overlap while neither waits for the
// other are merged — or, when the merged agent would carry more than MERGE_LIMIT tickets, the later
// one is chained after the earlier (dependsOn). Afterwards the wave passes checkPlan's overlap rule.
import { territoryOf } from "../../protocol/territory.ts";
import { minimalTerritory } from "./paths.ts";

/** Overlapping agents are merged only up to this many tickets; beyond it they are chained instead. */
export const MERGE_LIMIT = 10;

export interface Draft {
  /** stable key (the first ticket's id) */
  key: string;
  /** ticket indices into the wave's ticket list, in order */
  tickets: number[];
  territory: string[];
  /** keys of drafts of the same wave it waits for */
  dependsOn: Set<string>;
}

/** What settle did, for the intake report: the tickets concerned and why. */
export interface SettleNote {
  tickets: number[];
  message: string;
}

/** The wave's drafts with cycles merged and territory overlaps merged or chained. Pure. */
export function settleWave(input: readonly Draft[], keyName: (key: string) => string, notes: SettleNote[] = []): Draft[] {
  let drafts = input.map((d) => ({ ...d, tickets: [...d.tickets], territory: [...d.territory], dependsOn: new Set(d.dependsOn) }));
  for (let guard = 0; guard < 10_000; guard++) {
    const cycle = firstCycle(drafts);
    if (cycle) {
      drafts = merge(drafts, cycle);
      notes.push({ tickets: drafts.find((d) => d.key === cycle[0])!.tickets, message: `its tickets and those of ${cycle.slice(1).map(keyName).join(", ")} depend on each other, so one agent does them` });
      continue;
    }
    const pair = firstUnorderedOverlap(drafts);
    if (!pair) return drafts;
    const [a, b] = pair;
    const da = drafts.find((d) => d.key === a)!, db = drafts.find((d) => d.key === b)!;
    if (da.tickets.length + db.tickets.length <= MERGE_LIMIT) {
      drafts = merge(drafts, [a, b]);
      notes.push({ tickets: drafts.find((d) => d.key === a)!.tickets, message: `its territory overlapped that of ${keyName(b)}, so the two agents were merged` });
    } else {
      db.dependsOn.add(a);
      notes.push({ tickets: db.tickets, message: `its territory overlaps that of ${keyName(a)}, so it waits for it (merged they would carry more than ${MERGE_LIMIT} tickets)` });
    }
  }
  return drafts;
}

// All drafts named by keys folded into the first one.
function merge(drafts: Draft[], keys: readonly string[]): Draft[] {
  const into = drafts.find((d) => d.key === keys[0])!;
  const gone = new Set(keys.slice(1));
  for (const d of drafts) {
    if (!gone.has(d.key)) continue;
    into.tickets.push(...d.tickets);
    into.territory.push(...d.territory);
    for (const k of d.dependsOn) into.dependsOn.add(k);
  }
  into.tickets.sort((x, y) => x - y);
  into.territory = minimalTerritory(into.territory);
  const rest = drafts.filter((d) => !gone.has(d.key));
  for (const d of rest) {
    let touched = false;
    for (const k of gone) touched = d.dependsOn.delete(k) || touched;
    if (touched && d !== into) d.dependsOn.add(into.key);
    d.dependsOn.delete(d.key);
  }
  return rest;
}

// Keys reachable from each draft over dependsOn (itself excluded unless on a cycle).
function reachability(drafts: readonly Draft[]): Map<string, Set<string>> {
  const byKey = new Map(drafts.map((d) => [d.key, d] as const));
  const out = new Map<string, Set<string>>();
  for (const d of drafts) {
    const seen = new Set<string>();
    const stack = [...d.dependsOn];
    while (stack.length) {
      const k = stack.pop()!;
      if (seen.has(k) || !byKey.has(k)) continue;
      seen.add(k);
      stack.push(...byKey.get(k)!.dependsOn);
    }
    out.set(d.key, seen);
  }
  return out;
}

// The keys of one dependency cycle (its earliest draft first), or null.
function firstCycle(drafts: readonly Draft[]): string[] | null {
  const reach = reachability(drafts);
  for (const d of drafts) {
    if (!reach.get(d.key)!.has(d.key)) continue;
    return drafts.filter((o) => o.key === d.key || (reach.get(d.key)!.has(o.key) && reach.get(o.key)!.has(d.key))).map((o) => o.key);
  }
  return null;
}

// The first pair [earlier, later] whose territories overlap while neither waits for the other.
function firstUnorderedOverlap(drafts: readonly Draft[]): [string, string] | null {
  let reach: Map<string, Set<string>> | undefined;
  for (let i = 0; i < drafts.length; i++)
    for (let j = i + 1; j < drafts.length; j++) {
      const a = drafts[i]!, b = drafts[j]!;
      if (!a.territory.length || !b.territory.length || !territoryOf(a.territory).overlaps(territoryOf(b.territory))) continue;
      reach ??= reachability(drafts);
      if (reach.get(a.key)!.has(b.key) || reach.get(b.key)!.has(a.key)) continue;
      return [a.key, b.key];
    }
  return null;
}
