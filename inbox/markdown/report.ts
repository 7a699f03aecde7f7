// intake-report.md: what the markdown compiler made of a plan folder — a summary of waves, agents,
// territories and gates, then every item it inferred, found ambiguous or did not understand, each
// with the file:line it came from.
import type { CompileResult, IntakeItem } from "./compile.ts";

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
  lines.push(`What runs is \`plan.compiled.yaml\` as it is on disk when you run \`purplectl approve ${name}\`, checked again then: edit it to change what runs; an edit that breaks it is refused with every problem.`, "");
  if (plan.goal) lines.push(`Goal: ${plan.goal}`, "");
  lines.push("| wave | title | agents | territory | gate |", "|---|---|---|---|---|");
  for (const w of waves) {
    const members = agents.filter((a) => w.agents.includes(a.id));
    const territory = members.reduce((n, a) => n + (a.territory?.length ?? 0), 0);
    const gate = w.gate ?? [];
    const r = gate.filter((c) => "run" in c).length;
    lines.push(`| ${cell(w.id)} | ${cell(w.title ?? "")} | ${cell(w.agents.join(", "))} | ${territory} path(s) | ${r} run, ${gate.length - r} manual |`);
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

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
