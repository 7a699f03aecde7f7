// Grouping one phase's tickets into agents by cohesion: tickets that name the same files (or paths
// that overlap), work in the same folder, or are about the same component ("API", "Database",
// "UI", …) go to one agent; then the smallest groups merge until the wave has at most `cap` agents.
// Every union is remembered as a reason on both tickets, for the intake report.
import { territoryOf } from "../../protocol/territory.ts";
import { parentDir } from "./paths.ts";

export interface GroupTicket {
  id: string;
  title: string;
  paths: readonly string[];
  /** ids of tickets it depends on (others are ignored) */
  dependsOn?: readonly string[];
}

/** Component words of ticket titles, by the component they name. The earliest word in a title wins. */
const COMPONENTS: readonly [string, RegExp][] = [
  ["api", /\b(apis?|endpoints?|routes?|server|backend|rest|graphql|functions?|handlers?|webhooks?)\b/i],
  ["database", /\b(database|db|migrations?|sql|tables?|queries|query)\b/i],
  ["ui", /\b(ui|ux|frontend|front-end|components?|pages?|views?|screens?|layouts?|buttons?|forms?|css|styles?|styling|theme|dialogs?|modals?)\b/i],
  ["auth", /\b(auth|authentication|authorization|login|logout|sign-?in|sign-?up|sessions?|oauth|permissions?)\b/i],
  ["tests", /\b(tests?|testing|qa|e2e)\b/i],
  ["docs", /\b(docs|documentation|readme|guides?)\b/i],
  ["config", /\b(config|configuration|settings)\b/i],
  ["deploy", /\b(deploy|deployment|ci|pipelines?|release|rollout|infra|infrastructure)\b/i],
  ["email", /\b(e-?mails?|mail|notifications?)\b/i],
  ["cli", /\b(cli|commands?)\b/i],
];

/** How a component is written in an agent's role. */
export const COMPONENT_LABELS: Record<string, string> = {
  api: "API", database: "Database", ui: "UI", auth: "Auth", tests: "Tests", docs: "Docs", config: "Configuration", deploy: "Deployment", email: "Email", cli: "CLI",
};

/** Top-level folders too broad to say two tickets work on the same thing. */
const BROAD_FOLDERS = new Set(["src", "lib", "app", "apps", "packages", "pkg", "internal", "cmd", "test", "tests", "spec", "docs", "scripts", "public", "assets", "static", "source", "web"]);

/** The component a ticket title names first, or undefined. */
export function componentOf(title: string): string | undefined {
  let best: { name: string; at: number } | undefined;
  for (const [name, re] of COMPONENTS) {
    const m = re.exec(title);
    if (m && (best === undefined || m.index < best.at)) best = { name, at: m.index };
  }
  return best?.name;
}

/** The folder a territory entry works in (`src/a/b.ts` → `src/a`; `src/a/` → `src/a`), unless too broad. */
export function areaOf(entry: string): string | undefined {
  const area = entry.endsWith("/") ? entry.slice(0, -1) : parentDir(entry);
  if (!area || /[*?[\]{}]/.test(area)) return undefined;
  if (!area.includes("/") && BROAD_FOLDERS.has(area.toLowerCase())) return undefined;
  return area;
}

export interface Grouping {
  /** groups of ticket indices, each in ticket order, groups ordered by their first ticket */
  groups: number[][];
  /** why each ticket is where it is, by ticket index */
  reasons: string[][];
}

/** Group one phase's tickets by cohesion, at most `cap` groups. */
export function groupTickets(tickets: readonly GroupTicket[], cap: number): Grouping {
  const parent = tickets.map((_, i) => i);
  const reasons: string[][] = tickets.map(() => []);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const union = (a: number, b: number, why: (other: string) => string): void => {
    const ra = find(a), rb = find(b);
    if (ra === rb) return;
    parent[Math.max(ra, rb)] = Math.min(ra, rb);
    reasons[a]!.push(why(tickets[b]!.id));
    reasons[b]!.push(why(tickets[a]!.id));
  };
  // Same file, same folder, same component: one shared key each.
  const firstWith = new Map<string, number>();
  const byKey = (i: number, key: string, why: (other: string) => string): void => {
    const first = firstWith.get(key);
    if (first === undefined) firstWith.set(key, i);
    else union(first, i, why);
  };
  tickets.forEach((t, i) => {
    for (const p of t.paths) byKey(i, `path:${p}`, (o) => `names ${p}, as ${o} does`);
  });
  // A folder or glob entry overlaps the files below it.
  tickets.forEach((t, i) => {
    if (!t.paths.some((p) => p.endsWith("/") || /[*?[\]{}]/.test(p))) return;
    const mine = territoryOf(t.paths);
    tickets.forEach((u, j) => {
      if (j !== i && u.paths.length && mine.overlaps(territoryOf(u.paths))) union(i, j, (o) => `its paths overlap those of ${o}`);
    });
  });
  tickets.forEach((t, i) => {
    for (const p of t.paths) {
      const area = areaOf(p);
      if (area) byKey(i, `area:${area}`, (o) => `works in ${area}/, as ${o} does`);
    }
  });
  tickets.forEach((t, i) => {
    const c = componentOf(t.title);
    if (c) byKey(i, `component:${c}`, (o) => `is ${COMPONENT_LABELS[c] ?? c} work, as ${o} is`);
  });
  let groups = collect(tickets.length, find);
  const linked = dependencyPairs(tickets);
  while (groups.length > Math.max(1, cap)) {
    const [a, b] = mergeCandidates(groups, linked);
    const ga = groups[a]!, gb = groups[b]!;
    const note = (other: number[]): string => `merged with the agent of ${tickets[other[0]!]!.id} to keep at most ${cap} agents in the wave`;
    for (const i of ga) reasons[i]!.push(note(gb));
    for (const i of gb) reasons[i]!.push(note(ga));
    const merged = [...ga, ...gb].sort((x, y) => x - y);
    groups = groups.filter((_, k) => k !== a && k !== b).concat([merged]).sort((x, y) => x[0]! - y[0]!);
  }
  return { groups, reasons };
}

function collect(n: number, find: (i: number) => number): number[][] {
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const g = byRoot.get(r);
    if (g) g.push(i);
    else byRoot.set(r, [i]);
  }
  return [...byRoot.values()].sort((x, y) => x[0]! - y[0]!);
}

// [i, j] for every pair of tickets where one depends on the other.
function dependencyPairs(tickets: readonly GroupTicket[]): [number, number][] {
  const index = new Map(tickets.map((t, i) => [t.id.toUpperCase(), i] as const));
  const pairs: [number, number][] = [];
  tickets.forEach((t, i) => {
    for (const dep of t.dependsOn ?? []) {
      const j = index.get(dep.toUpperCase());
      if (j !== undefined && j !== i) pairs.push([i, j]);
    }
  });
  return pairs;
}

// The two groups to merge: the smallest pair where one's tickets depend on the other's — they run
// one after the other anyway, so no parallelism is lost — else the two smallest groups (ties: the
// later ones, so the plan's first agents stay as grouped).
function mergeCandidates(groups: readonly number[][], linked: readonly [number, number][]): [number, number] {
  const groupAt = new Map<number, number>();
  groups.forEach((g, k) => g.forEach((i) => groupAt.set(i, k)));
  const size = (a: number, b: number): number => groups[a]!.length + groups[b]!.length;
  let best: [number, number] | undefined;
  for (const [i, j] of linked) {
    const a = groupAt.get(i)!, b = groupAt.get(j)!;
    if (a !== b && (best === undefined || size(a, b) < size(...best) || (size(a, b) === size(...best) && Math.min(a, b) > Math.min(...best)))) best = [a, b];
  }
  if (best) return best;
  const order = groups.map((_, k) => k).sort((x, y) => groups[x]!.length - groups[y]!.length || y - x);
  return [order[0]!, order[1]!];
}
