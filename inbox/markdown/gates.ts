// Gate checks per wave: shell commands (`run`) and checklist items (`manual`) from the main plan and
// validation-strategy.md; coordination-protocol.md and agent-assignments.md only for a wave the two
// leave without commands. "After each wave, run …" applies to every wave, `{n}` filled in.
import type { GateCheck } from "../../protocol/plan.ts";
import { waveIndex, type RoleDraft } from "./assemble.ts";
import type { DraftWave, Src } from "./draft.ts";
import type { Items } from "./intake.ts";
import { clip } from "./inline.ts";
import { manualFor, needsPerson } from "./unattended.ts";

type Check = { check: GateCheck; src: Src };


/** The gate of every wave, in wave order. */
export function buildGates(drafts: readonly RoleDraft[], waves: readonly DraftWave[], items: Items): GateCheck[][] {
  const primary = drafts.filter((d) => d.role === "main" || d.role === "validation");
  const fallback = drafts.filter((d) => d.role === "assignments" || d.role === "coordination");
  const runs = collectRuns(primary, waves, items);
  const spare = collectRuns(fallback, waves, null);
  const manual = waves.map(() => [] as Check[]);
  for (const role of ["main", "validation"] as const)
    for (const d of drafts.filter((x) => x.role === role))
      for (const f of d.draft.facts) {
        if (f.kind !== "manual" && f.kind !== "exists") continue;
        const w = waveIndex(waves, f.wave);
        if (w === null) continue;
        if (role === "validation" && manual[w]!.some((c) => c.src.file !== d.draft.file)) continue;
        manual[w]!.push({ check: f.kind === "manual" ? { manual: f.text } : { exists: f.path }, src: f.src });
      }
  for (const d of drafts)
    for (const f of d.draft.facts)
      if (f.kind === "unplaced" && (d.role === "main" || d.role === "validation"))
        items.add("ambiguous", f.src, `${f.what} here belong to no wave the plan defines; left out of the gates`);
  return waves.map((wave, w) => {
    let list = runs[w]!;
    if (list.length === 0 && spare[w]!.length) {
      list = spare[w]!;
      for (const c of list) items.add("inferred", c.src, `wave ${wave.number} gate: run \`${clip(oneLine(c.check), 120)}\` (the plan and validation-strategy.md give no command for this wave)`);
    }
    const seen = new Set<string>();
    const out: GateCheck[] = [];
    for (const raw of [...list, ...manual[w]!]) {
      const c = unattended(raw, wave.number, items);
      const key = JSON.stringify(c.check).replace(/\s+/g, " ");
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(c.check);
      if ("manual" in c.check && !raw.check.hasOwnProperty("run")) items.add("inferred", c.src, `wave ${wave.number} gate: manual check "${clip(c.check.manual, 120)}"`);
      if ("exists" in c.check) items.add("inferred", c.src, `wave ${wave.number} gate: \`${c.check.exists}\` must exist`);
    }
    return out;
  });
}

function collectRuns(drafts: readonly RoleDraft[], waves: readonly DraftWave[], items: Items | null): Check[][] {
  const out = waves.map(() => [] as Check[]);
  for (const d of drafts)
    for (const f of d.draft.facts) {
      if (f.kind !== "run") continue;
      if (f.wave === "every") {
        waves.forEach((wave, w) => {
          const command = f.command.replace(/\{(?:n|N|wave|wave[-_ ]?(?:n|number|num))\}|<(?:n|N|wave)>/g, String(wave.number));
          out[w]!.push({ check: { run: command }, src: f.src });
        });
        items?.add("inferred", f.src, `every wave's gate: run \`${clip(f.command, 120)}\` ("after each wave")`);
        continue;
      }
      const w = waveIndex(waves, f.wave);
      if (w === null) {
        items?.add("ambiguous", f.src, `command \`${clip(f.command, 80)}\` is for wave ${f.wave.number ?? "?"}, which the plan does not define; left out`);
        continue;
      }
      out[w]!.push({ check: { run: f.command }, src: f.src });
      items?.add("inferred", f.src, `wave ${waves[w]!.number} gate: run \`${clip(f.command.split("\n")[0]!, 120)}\``);
    }
  return out;
}

// A command that needs a person becomes a manual check showing it (reported as such).
function unattended(c: Check, wave: number, items: Items): Check {
  if (!("run" in c.check)) return c;
  const command = typeof c.check.run === "string" ? c.check.run : c.check.run.command;
  const why = needsPerson(command);
  if (!why) return c;
  items.add("ambiguous", c.src, `wave ${wave} gate: \`${clip(command.split("\n")[0]!, 100)}\` needs a person (${why}); it is a manual check showing the command`);
  return { check: { manual: manualFor(command) }, src: c.src };
}

function oneLine(check: GateCheck): string {
  return "run" in check ? (typeof check.run === "string" ? check.run : check.run.command).split("\n")[0]! : JSON.stringify(check);
}
