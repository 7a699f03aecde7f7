// Grounding a model's compile of a markdown plan (issue 15): the model reads what rules cannot,
// but nothing it says is taken on trust. Every territory path and every command or file a check
// names must appear in the plan's own text (cited file:line); every id must resolve; runner
// overrides and allowed commands come from purple's configuration, never from the answer. What is
// not grounded is dropped and reported. Pure: the answer and the source text in, a plan out.
import type { GateCheck, PlanInput } from "../../../protocol/plan.ts";
import type { CompileDefaults } from "../../purple/types.ts";
import { manualFor, needsPerson } from "../unattended.ts";

export interface Citation {
  what: string;
  file: string;
  line: number;
}

export interface Grounded {
  plan: PlanInput;
  /** where each kept path and command appears in the plan's text */
  cited: Citation[];
  /** what the answer said that the plan's text does not: dropped */
  dropped: string[];
  /** what was changed rather than dropped (a command that needs a person became manual …) */
  changed: string[];
}

type Obj = Record<string, unknown>;

/** Where `needle` appears in the source files (whitespace-insensitive), or null. */
export function findInSource(files: Record<string, string>, needle: string): { file: string; line: number } | null {
  const want = squash(needle);
  if (want.length === 0) return null;
  for (const [file, text] of Object.entries(files)) {
    const lines = text.split(/\r?\n/);
    for (let k = 0; k < lines.length; k++) if (squash(lines[k]!).includes(want)) return { file, line: k + 1 };
    // A command written over continued lines ("\" at the end) is found in the joined text.
    const joined = squash(text.replace(/\\\r?\n\s*/g, " "));
    if (joined.includes(want)) {
      const at = lines.findIndex((l) => squash(l).length > 0 && want.startsWith(squash(l).slice(0, Math.min(20, squash(l).length))));
      return { file, line: at >= 0 ? at + 1 : 1 };
    }
  }
  return null;
}

/** Ground a model's answer against the plan's source files; defaults come from purple's configuration. */
export function groundAnswer(answer: unknown, files: Record<string, string>, name: string, defaults: CompileDefaults): Grounded {
  const cited: Citation[] = [];
  const dropped: string[] = [];
  const changed: string[] = [];
  const root = isObj(answer) ? answer : {};
  const cite = (what: string, needle: string): boolean => {
    const at = findInSource(files, needle);
    if (at) cited.push({ what, file: at.file, line: at.line });
    return at !== null;
  };

  // Agents: id and texts as answered; territory only where the text names the path.
  const agents: Obj[] = [];
  const ids = new Set<string>();
  for (const a of list(root.agents)) {
    if (!isObj(a) || typeof a.id !== "string" || ids.has(a.id)) {
      dropped.push(`an agent without a usable id (${clip(JSON.stringify(a))})`);
      continue;
    }
    ids.add(a.id);
    const territory: string[] = [];
    for (const t of list(a.territory)) {
      if (typeof t !== "string") continue;
      if (cite(`territory \`${t}\` of ${a.id}`, t)) territory.push(t);
      else dropped.push(`territory \`${t}\` of agent "${a.id}": not in the plan's text`);
    }
    const { runner: _runner, territory: _t, dependsOn: _d, ...rest } = a;
    if (_runner !== undefined) changed.push(`agent "${a.id}": its runner override was ignored (runners come from purple's configuration)`);
    agents.push({ ...rest, territory, dependsOn: [] as string[], __deps: list(a.dependsOn) });
  }
  for (const a of agents) {
    const deps = (a.__deps as unknown[]).filter((d): d is string => typeof d === "string");
    delete a.__deps;
    for (const d of deps) {
      if (ids.has(d) && d !== a.id) (a.dependsOn as string[]).push(d);
      else dropped.push(`dependency "${d}" of agent "${String(a.id)}": no such agent`);
    }
  }

  // Contracts: owner and consumers must resolve; their checks are grounded like gate checks.
  const contracts: Obj[] = [];
  const contractIds = new Set<string>();
  for (const c of list(root.contracts)) {
    if (!isObj(c) || typeof c.id !== "string") continue;
    const owner = typeof c.owner === "string" && ids.has(c.owner) ? c.owner : undefined;
    if (typeof c.owner === "string" && !owner) dropped.push(`owner "${c.owner}" of contract "${c.id}": no such agent`);
    const consumers = list(c.consumers).filter((x): x is string => typeof x === "string" && ids.has(x));
    const spec = typeof c.spec === "string" && c.spec in files ? c.spec : undefined;
    if (typeof c.spec === "string" && !spec) dropped.push(`spec "${c.spec}" of contract "${c.id}": no such file in the plan folder`);
    contractIds.add(c.id);
    contracts.push({ id: c.id, ...(typeof c.title === "string" ? { title: c.title } : {}), ...(owner ? { owner } : {}), consumers, ...(spec ? { spec } : {}), checks: groundChecks(list(c.checks), `contract "${c.id}"`) });
  }
  for (const c of contracts) c.checks = (c.checks as GateCheck[]).filter((k) => !("contract" in k) || contractIds.has(k.contract));

  // Waves: members must resolve; a wave left without agents is dropped.
  const waves: Obj[] = [];
  for (const w of list(root.waves)) {
    if (!isObj(w) || typeof w.id !== "string") continue;
    const members = list(w.agents).filter((x): x is string => typeof x === "string");
    const known = members.filter((m) => ids.has(m));
    for (const m of members) if (!ids.has(m)) dropped.push(`agent "${m}" of wave "${w.id}": no such agent`);
    if (known.length === 0) {
      dropped.push(`wave "${w.id}": none of its agents exists`);
      continue;
    }
    const gate = groundChecks(list(w.gate), `wave "${w.id}"`).filter((k) => {
      if ("contract" in k && !contractIds.has(k.contract)) return void dropped.push(`check of contract "${k.contract}" in wave "${w.id}": no such contract`), false;
      return true;
    });
    waves.push({ id: w.id, ...(typeof w.title === "string" ? { title: w.title } : {}), agents: known, gate });
  }

  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name,
    goal: typeof root.goal === "string" ? root.goal : "",
    ...(typeof root.maxAgents === "number" ? { maxAgents: root.maxAgents } : defaults.maxAgents ? { maxAgents: defaults.maxAgents } : {}),
    defaults: { runner: defaults.runner, ...(defaults.model ? { model: defaults.model } : {}), ...(defaults.allowedCommands?.length ? { allowedCommands: [...defaults.allowedCommands] } : {}) },
    contracts: contracts as PlanInput["contracts"],
    agents: agents as PlanInput["agents"],
    waves: waves as PlanInput["waves"],
  };
  return { plan, cited, dropped, changed };

  // Checks: commands and files must appear in the text; a command that needs a person is manual.
  function groundChecks(checks: unknown[], where: string): GateCheck[] {
    const out: GateCheck[] = [];
    for (const k of checks) {
      if (!isObj(k)) continue;
      if ("run" in k) {
        const command = typeof k.run === "string" ? k.run : isObj(k.run) && typeof k.run.command === "string" ? k.run.command : null;
        if (command === null) continue;
        if (!cite(`command \`${command}\` (${where})`, command)) {
          dropped.push(`command \`${command}\` (${where}): not in the plan's text`);
          continue;
        }
        const why = needsPerson(command);
        if (why) changed.push(`command \`${command}\` (${where}) needs a person (${why}): a manual check`);
        out.push(why ? { manual: manualFor(command) } : { run: command });
      } else if ("exists" in k && typeof k.exists === "string") {
        if (cite(`file \`${k.exists}\` (${where})`, k.exists)) out.push({ exists: k.exists });
        else dropped.push(`exists \`${k.exists}\` (${where}): not in the plan's text`);
      } else if ("contains" in k && isObj(k.contains) && typeof k.contains.file === "string" && typeof k.contains.pattern === "string") {
        if (cite(`file \`${k.contains.file}\` (${where})`, k.contains.file)) out.push({ contains: { file: k.contains.file, pattern: k.contains.pattern } });
        else dropped.push(`contains check on \`${k.contains.file}\` (${where}): not in the plan's text`);
      } else if ("exports" in k && isObj(k.exports) && typeof k.exports.file === "string") {
        const names = list(k.exports.names).filter((n): n is string => typeof n === "string" && findInSource(files, n) !== null);
        if (cite(`file \`${k.exports.file}\` (${where})`, k.exports.file) && names.length) out.push({ exports: { file: k.exports.file, names } });
        else dropped.push(`exports check on \`${k.exports.file}\` (${where}): file or names not in the plan's text`);
      } else if ("contract" in k && typeof k.contract === "string") out.push({ contract: k.contract });
      else if ("judge" in k && typeof k.judge === "string" && k.judge.trim()) out.push({ judge: k.judge });
      else if ("manual" in k && typeof k.manual === "string" && k.manual.trim()) out.push({ manual: k.manual });
    }
    return out;
  }
}

function squash(s: string): string {
  return s.replace(/[`*]/g, "").replace(/\s+/g, " ").trim();
}

function list(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

function isObj(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}
