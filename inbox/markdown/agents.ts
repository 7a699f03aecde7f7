// One agent, many mentions: "Agent 1: HTML Structure (`html-agent`)", "html-agent", "Agent 1",
// "HTML Structure Agent", "backend-api" in an ownership table. The registry merges the mentions
// that mean the same agent — exact ids first, then numbers, then a unique token match of names.
import type { Src } from "./draft.ts";
import { slugify } from "./inline.ts";
import { refId, type AgentRef } from "./vocab.ts";

export interface RegisteredAgent {
  id: string;
  name?: string;
  number?: string;
  /** team, track, lane, stream … when the plan does not call it an agent */
  noun?: string;
  /** ids and slugs this agent answers to */
  aliases: Set<string>;
  tokens: Set<string>;
  src: Src;
}

const STOP = new Set(["agent", "agents", "the", "and", "of", "for", "a", "an", "to", "in", "on", "with", "wave"]);

/** The agents of a plan as mentions are merged into them. */
export class AgentRegistry {
  readonly agents: RegisteredAgent[] = [];
  private readonly byId = new Map<string, RegisteredAgent>();
  private readonly byAlias = new Map<string, RegisteredAgent[]>();
  private readonly byNum = new Map<string, RegisteredAgent[]>();

  /** The agent a defining mention names, creating it when `create` and no agent matches. */
  define(ref: AgentRef, src: Src, create: boolean, loose: boolean): RegisteredAgent | null {
    const found = this.exact(ref) ?? this.byNumber(ref) ?? (loose ? this.fuzzy(ref) : null);
    if (found) {
      this.absorb(found, ref);
      return found;
    }
    if (!create || (!ref.id && !ref.name)) return null;
    const agent: RegisteredAgent = { id: refId(ref).slice(0, 100).replace(/-+$/, ""), aliases: new Set(), tokens: new Set(), src };
    if (ref.name) agent.name = ref.name;
    if (ref.number ?? ref.ordinal) agent.number = ref.number ?? ref.ordinal;
    this.absorb(agent, ref);
    this.agents.push(agent);
    if (!this.byId.has(agent.id)) this.byId.set(agent.id, agent);
    if (agent.number) this.byNum.set(agent.number, [...(this.byNum.get(agent.number) ?? []), agent]);
    return agent;
  }

  /** The agent a reference means, or null when none or several could be meant. */
  resolve(ref: AgentRef): RegisteredAgent | null {
    return this.exact(ref) ?? this.byNumber(ref) ?? this.fuzzy(ref);
  }

  /** The agent a passing mention means for certain: its exact id or alias, or its number alone. */
  certain(ref: AgentRef): RegisteredAgent | null {
    return this.exact(ref) ?? (!ref.id && !ref.name ? this.byNumber(ref) : null);
  }

  /** The agent whose id or alias is exactly this reference's, or null. */
  exact(ref: AgentRef): RegisteredAgent | null {
    const keys = keysOf(ref);
    for (const k of keys) {
      const hit = this.byId.get(k);
      if (hit) return hit;
    }
    for (const k of keys) {
      const hits = this.byAlias.get(k) ?? [];
      if (hits.length === 1) return hits[0]!;
    }
    return null;
  }

  // "Agent 3" alone, or "Agent 3: Name" whose name fits the numbered agent.
  private byNumber(ref: AgentRef): RegisteredAgent | null {
    const number = ref.number ?? ref.ordinal;
    if (!number) return null;
    const same = this.byNum.get(number) ?? [];
    if (same.length !== 1) return null;
    const a = same[0]!;
    if (!ref.name && !ref.id) return a;
    // "Team 1: Quick wins" under a phase is what Team 1 does then: a team, track or stream keeps its
    // number across the plan (an agent's number alone may restart per wave, so its name must fit).
    if (ref.noun && ref.noun === a.noun) return a;
    // "Agent A" is a name, not a counter that restarts per wave: the letter alone decides.
    if (/^[a-z]$/.test(number)) return a;
    const t = tokensOf(ref);
    return t.size === 0 || subset(t, a.tokens) || subset(a.tokens, t) ? a : null;
  }

  // A unique agent whose name tokens contain the reference's (or the other way round);
  // abbreviations count ("Impl" for "Implementation").
  private fuzzy(ref: AgentRef): RegisteredAgent | null {
    const t = tokensOf(ref);
    if (t.size === 0) return null;
    const hits = this.agents.filter((a) => a.tokens.size > 0 && (subset(t, a.tokens) || subset(a.tokens, t)));
    if (hits.length === 1) return hits[0]!;
    const tight = hits.filter((a) => subset(t, a.tokens) && subset(a.tokens, t));
    return tight.length === 1 ? tight[0]! : null;
  }

  private absorb(agent: RegisteredAgent, ref: AgentRef): void {
    for (const k of keysOf(ref)) {
      if (agent.aliases.has(k)) continue;
      agent.aliases.add(k);
      this.byAlias.set(k, [...(this.byAlias.get(k) ?? []), agent]);
    }
    for (const tok of tokensOf(ref)) agent.tokens.add(tok);
    if (!agent.name && ref.name) agent.name = ref.name;
    if (!agent.noun && ref.noun) agent.noun = ref.noun;
    const number = ref.number ?? ref.ordinal;
    if (!agent.number && number) {
      agent.number = number;
      if (this.agents.includes(agent)) this.byNum.set(number, [...(this.byNum.get(number) ?? []), agent]);
    }
  }
}

function keysOf(ref: AgentRef): string[] {
  const keys = new Set<string>();
  if (ref.id) keys.add(slugify(ref.id));
  keys.add(refId(ref));
  // "Mission M1": the code alone ("M1, M2" in a wave table) names it too.
  if (ref.number && /[a-z]/.test(ref.number) && /\d/.test(ref.number)) keys.add(ref.number);
  if (ref.name) {
    keys.add(slugify(ref.name));
    if (!/agent$/i.test(ref.name)) keys.add(slugify(ref.name + " agent"));
  }
  keys.delete("");
  keys.delete("agent");
  return [...keys];
}

function tokensOf(ref: AgentRef): Set<string> {
  const words = `${ref.id ?? ""} ${ref.name ?? ""}`.toLowerCase().split(/[^a-z0-9]+/);
  return new Set(words.filter((w) => w.length > 0 && !STOP.has(w) && !/^\d+$/.test(w)));
}

// Every token of `a` equals, or abbreviates (prefix of ≥ 3 letters), some token of `b`.
function subset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size === 0) return false;
  for (const x of a) {
    let ok = false;
    for (const y of b) if (x === y || (x.length >= 3 && y.startsWith(x)) || (y.length >= 3 && x.startsWith(y) && x.length - y.length <= 3)) ok = true;
    if (!ok) return false;
  }
  return true;
}
