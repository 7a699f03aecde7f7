// intake-report.md: what the markdown compiler made of a plan folder — a summary of waves, agents,
// territories and gates, then every item it inferred, found ambiguous or did not understand, each
// with the file:line it came from.
import type { CompileResult, IntakeItem } from "../purple/types.ts";
import { commandOfManual } from "./unattended.ts";

const SECTIONS: [IntakeItem["kind"], string, string][] = [
  ["not-understood", "Not understood", "Parts of the plan the compiler could not use. Fix the plan or the compiled plan before approving."],
  ["ambiguous", "Ambiguous", "Places where the plan could be read more than one way, and the reading that was taken."],
  ["inferred", "Inferred", "Everything taken from the plan's prose. Commands among them run only after `purplectl approve`."],
];

/** The intake report of one compiled plan, as markdown. */
export function renderIntakeReport(name: string, result: CompileResult): string {
  const { plan, items } = result;
  const lines: string[] = [`# Intake report: ${name}`, ""];
  const agents = plan.agents ?? [];
  const waves = plan.waves ?? [];
  const checks = waves.flatMap((w) => w.gate ?? []);
  const runs = checks.filter((c) => "run" in c).length;
  const manual = checks.filter((c) => "manual" in c).length;
  const owned = agents.reduce((n, a) => n + (a.territory?.length ?? 0), 0);
  lines.push(
    `${waves.length} wave(s), ${agents.length} agent(s), ${owned} territory entr${owned === 1 ? "y" : "ies"}, ` +
      `${checks.length} gate check(s) (${runs} command(s), ${manual} manual), ${(plan.contracts ?? []).length} contract(s).`,
    "",
  );
  if (result.planFile) lines.push(`Plan file: \`${result.planFile.file}\` (${result.planFile.why}).`, "");
  lines.push(`What runs is \`plan.compiled.yaml\` as it is on disk when you run \`purplectl approve ${name}\`, checked again then: edit it to change what runs; an edit that breaks it is refused with every problem.`, "");
  if (plan.goal) lines.push(`Goal: ${plan.goal}`, "");
  lines.push(...gapSection(result), ...territorySection(result), ...byHandSection(result));
  lines.push("| wave | title | agents | territory | gate |", "|---|---|---|---|---|");
  for (const w of waves) {
    const members = agents.filter((a) => w.agents.includes(a.id));
    const territory = members.reduce((n, a) => n + (a.territory?.length ?? 0), 0);
    const gate = w.gate ?? [];
    const r = gate.filter((c) => "run" in c).length;
    lines.push(`| ${cell(w.id)} | ${cell(w.title ?? "")} | ${cell(w.agents.join(", ") || "none (gate only)")} | ${territory} path(s) | ${r} run, ${gate.length - r} manual |`);
  }
  lines.push("", "## Agents", "");
  for (const a of agents) {
    const deps = a.dependsOn?.length ? `; waits for ${a.dependsOn.join(", ")}` : "";
    const territory = a.territory?.length ? a.territory.map((t) => `\`${t}\``).join(", ") : "no files (read only)";
    lines.push(`- **${a.id}**${a.name && a.name !== a.id ? ` (${a.name})` : ""}: ${territory}; ${a.tickets?.length ?? 0} ticket(s)${deps}`);
  }
  for (const [kind, title, blurb] of SECTIONS) {
    const mine = items.filter((i) => i.kind === kind);
    lines.push("", `## ${title} (${mine.length})`, "", blurb, "");
    if (mine.length === 0) lines.push("None.");
    for (const i of mine) lines.push(`- \`${i.file}:${i.line}\` ${i.message.replace(/\n/g, " ")}`);
  }
  lines.push("");
  return lines.join("\n");
}

// What the compile could not make, first of all: a folder that yields nothing says so.
function gapSection(result: CompileResult): string[] {
  const gaps = result.gaps ?? [];
  if (gaps.length === 0) return [];
  const out = [`## Could not compile (${gaps.length})`, "", "Read these before approving: the plan as compiled lacks them.", ""];
  for (const g of gaps) {
    out.push(`- **${g.kind}**: ${g.message.replace(/\n/g, " ")}`);
    if (g.lines.length) out.push(`  Lines not read as such in \`${g.file}\`:`, ...g.lines.map((l) => `  - ${l.line}: ${l.text.replace(/\n/g, " ")}`));
  }
  out.push("");
  return out;
}

// Gate commands that cannot run unattended, turned into manual checks: a person runs them.
function byHandSection(result: CompileResult): string[] {
  const rows = (result.plan.waves ?? []).flatMap((w) => (w.gate ?? []).flatMap((g) => ("manual" in g && commandOfManual(g.manual) !== null ? [`- ${w.id}: \`${commandOfManual(g.manual)}\``] : [])));
  if (rows.length === 0) return [];
  return [`## Gate commands that need a person (${rows.length})`, "", "They start a server, open a browser, call a running service or hold a placeholder: each is a manual check that waits for `purplectl approve`.", "", ...rows, ""];
}

const ORDER = { low: 0, medium: 1, high: 2 } as const;

// Every territory entry with the line that gives it, the least certain first.
function territorySection(result: CompileResult): string[] {
  const entries = [...(result.territory ?? [])].sort((a, b) => ORDER[a.confidence] - ORDER[b.confidence] || a.agent.localeCompare(b.agent));
  if (entries.length === 0) return [];
  const low = entries.filter((e) => e.confidence === "low").length;
  const out = [`## Territory (${entries.length} entries, ${low} low confidence; least certain first)`, "", "| confidence | agent | path | source | why |", "|---|---|---|---|---|"];
  for (const e of entries) out.push(`| ${e.confidence} | ${cell(e.agent)} | \`${cell(e.path)}\` | \`${cell(e.file)}:${e.line}\` | ${cell(e.why)} |`);
  out.push("");
  return out;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
