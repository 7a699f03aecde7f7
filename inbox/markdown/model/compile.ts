// Model-assisted compile of a markdown plan (issue 15; `purplectl validate --compile --model`, and
// purpled with `compile: {model: true}` in O/purple.yaml): the rules compile runs first, then the
// plan's model compiles the same text through a tool call, its answer is grounded (ground.ts),
// checked like any plan, and compared with the rules' reading. The result waits for approval like
// every compiled plan: nothing the model wrote runs before a person approves it.
import YAML from "yaml";
import { checkPlan } from "../../check-plan.ts";
import { compileFolder, type CompiledFolder } from "../../compile-folder.ts";
import { Plan, type PlanInput, type Problem } from "../../../protocol/index.ts";
import type { CompileDefaults } from "../../purple/types.ts";
import { readMarkdownFolder } from "../read-folder.ts";
import { renderIntakeReport } from "../report.ts";
import { askModel, numberedSource, type AskOptions } from "./ask.ts";
import { groundAnswer, type Grounded } from "./ground.ts";

export interface ModelCompiled {
  /** the rules compile, run first */
  rules: CompiledFolder;
  grounded: Grounded;
  /** the grounded plan's problems (schema and plan checks); empty when it validates */
  problems: Problem[];
  /** where the rules and the model read the plan differently */
  disagreements: string[];
  yaml: string;
  report: string;
  usage: { input_tokens: number; output_tokens: number };
}

/** Compile a markdown plan folder (or file) with the rules, then with the model, grounded. */
export async function modelCompileFolder(path: string, name: string, defaults: CompileDefaults, ask: Omit<AskOptions, "model"> & { model?: string }): Promise<ModelCompiled> {
  const rules = compileFolder(path, name, "markdown", defaults);
  const files = readMarkdownFolder(path);
  const main = rules.result.planFile?.file;
  const order = [...(main ? [main] : []), ...Object.keys(files).filter((f) => f !== main).sort()];
  const hint = `Plan name: ${name}.${main ? ` The plan file is ${main}; the other files are its parts (assignments, validation, contracts).` : ""}`;
  const model = ask.model ?? defaults.model ?? Plan.shape.defaults.parse(undefined).model;
  const { answer, usage } = await askModel(numberedSource(files, order), hint, { ...ask, model });
  const grounded = groundAnswer(answer, files, name, defaults);
  const parsed = Plan.safeParse(grounded.plan);
  const problems: Problem[] = parsed.success ? checkPlan(parsed.data) : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const disagreements = compare(rules.result.plan, grounded.plan);
  const report = [
    renderIntakeReport(name, { plan: grounded.plan, items: [] }).trimEnd(),
    "",
    ...modelSection(grounded, problems, disagreements, model),
    "",
    "---",
    "",
    "The rules compile, for comparison:",
    "",
    rules.report.replace(/^# /m, "## "),
  ].join("\n");
  return { rules, grounded, problems, disagreements, yaml: YAML.stringify(grounded.plan), report, usage };
}

function modelSection(g: Grounded, problems: Problem[], disagreements: string[], model: string): string[] {
  const out = [`## Model-assisted compile (${model})`, "", "Every path and command the model gave was looked up in the plan's text; what is not there was dropped.", ""];
  out.push(`### Dropped: not grounded (${g.dropped.length})`, "", ...(g.dropped.length ? g.dropped.map((d) => `- ${d}`) : ["None."]), "");
  if (g.changed.length) out.push(`### Changed (${g.changed.length})`, "", ...g.changed.map((d) => `- ${d}`), "");
  out.push(`### Where the rules and the model disagree (${disagreements.length})`, "", ...(disagreements.length ? disagreements.map((d) => `- ${d}`) : ["Nowhere."]), "");
  out.push(`### Problems of the grounded plan (${problems.length})`, "", ...(problems.length ? problems.map((p) => `- ${p.path || "(plan)"}: ${p.message}`) : ["None: it validates."]), "");
  out.push(`### Citations (${g.cited.length})`, "", ...g.cited.slice(0, 500).map((c) => `- ${c.what}: \`${c.file}:${c.line}\``));
  return out;
}

/** Where two compiles of one plan differ: waves, agents, territories, gate commands. */
export function compare(rules: PlanInput, model: PlanInput): string[] {
  const out: string[] = [];
  if (rules.waves.length !== model.waves.length) out.push(`waves: the rules found ${rules.waves.length}, the model ${model.waves.length}`);
  const rIds = new Set(rules.agents.map((a) => a.id));
  const mIds = new Set(model.agents.map((a) => a.id));
  const onlyR = [...rIds].filter((id) => !mIds.has(id));
  const onlyM = [...mIds].filter((id) => !rIds.has(id));
  if (onlyR.length) out.push(`agents only the rules found: ${onlyR.join(", ")}`);
  if (onlyM.length) out.push(`agents only the model found: ${onlyM.join(", ")}`);
  for (const a of rules.agents) {
    const m = model.agents.find((x) => x.id === a.id);
    if (!m) continue;
    const rt = new Set(a.territory ?? []);
    const mt = new Set(m.territory ?? []);
    const r = [...rt].filter((p) => !mt.has(p));
    const mm = [...mt].filter((p) => !rt.has(p));
    if (r.length) out.push(`territory of ${a.id} only the rules give: ${r.map((p) => `\`${p}\``).join(", ")}`);
    if (mm.length) out.push(`territory of ${a.id} only the model gives: ${mm.map((p) => `\`${p}\``).join(", ")}`);
  }
  const runs = (p: PlanInput) => new Set(p.waves.flatMap((w) => (w.gate ?? []).flatMap((g) => ("run" in g ? [typeof g.run === "string" ? g.run : g.run.command] : []))));
  const rr = runs(rules);
  const mr = runs(model);
  const r = [...rr].filter((c) => !mr.has(c));
  const m = [...mr].filter((c) => !rr.has(c));
  if (r.length) out.push(`gate commands only the rules give: ${r.map((c) => `\`${c}\``).join(", ")}`);
  if (m.length) out.push(`gate commands only the model gives: ${m.map((c) => `\`${c}\``).join(", ")}`);
  return out;
}
