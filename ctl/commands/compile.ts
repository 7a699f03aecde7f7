// validate --compile / --report: what purpled would make of a markdown plan folder or a Purple
// feature folder, offline — the canonical YAML, or the intake report — before anything runs.
import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { DaemonConfig, toPlanName } from "../../protocol/index.ts";
import { checkTerritoriesOnDisk } from "../../inbox/check-territory-fs.ts";
import { compilableKind, compileFolder, isMarkdownFile } from "../../inbox/compile-folder.ts";
import { parsePlanText } from "../../inbox/parse.ts";
import { compileDefaultsOf, loadConfig } from "../../inbox/config.ts";
import { claudeAvailable } from "../../lib/find-claude.ts";
import type { Ctx } from "../context.ts";
import { orchestrationOf } from "../find-root.ts";
import { EXIT, UsageError } from "../errors.ts";
import { canonicalYaml } from "../offline.ts";
import { formatProblems } from "../problems.ts";
import { runnableHere } from "../runnable.ts";

/** Compile a folder and check the result as purpled would. */
export async function compileAndCheck(path: string, root: string | null) {
  const dir = resolve(path);
  if (!existsSync(dir) || (!statSync(dir).isDirectory() && !isMarkdownFile(dir))) throw new UsageError(`${path} is neither a folder nor a markdown file; --compile takes a markdown plan (a folder or one .md file) or a Purple feature folder`);
  const kind = compilableKind(dir);
  if (!kind) throw new UsageError(`${path} holds no markdown file with waves or phases of agents, and is not a Purple feature folder (progress.json, agent-written-specifications/)`);
  const defaults = compileDefaultsHere(root);
  const name = planNameOf(dir);
  const compiled = compileFolder(dir, name, kind, defaults);
  const parsed = parsePlanText(compiled.yaml, "yaml");
  const problems = parsed.ok ? (root ? await checkTerritoriesOnDisk(parsed.plan, root) : []) : parsed.problems;
  return { name, kind, compiled, plan: parsed.ok && problems.length === 0 ? parsed.plan : null, problems };
}

// The compile defaults purpled would use under this root (its config), or the built-in ones offline.
function compileDefaultsHere(root: string | null) {
  const config = root ? loadConfig(orchestrationOf(root)) : DaemonConfig.parse({});
  return compileDefaultsOf(config, claudeAvailable(config, process.env, root ?? process.cwd()));
}

// The plan name purpled gives a folder or a single markdown file.
function planNameOf(dir: string): string {
  return toPlanName(basename(dir).replace(/\.(?:md|markdown)$/i, ""));
}

/** validate --compile / --report PATH: the canonical YAML (or every problem), or the intake report. */
export async function compileCommand(ctx: Ctx, path: string): Promise<number> {
  if (ctx.flags.model) return modelCompileCommand(ctx, path);
  const r = await compileAndCheck(path, ctx.socket.root);
  if (ctx.flags.report) {
    ctx.print(r.compiled.report.trimEnd(), { plan: r.name, kind: r.kind, items: r.compiled.result.items });
    return EXIT.ok;
  }
  const runnable = r.plan ? runnableHere(ctx, r.plan, resolve(path), true) : { errors: [], warnings: [] };
  if (runnable.warnings.length && !ctx.json) ctx.note(`${path}: ${runnable.warnings.length} warning(s)\n${formatProblems(runnable.warnings)}`);
  const problems = r.plan ? runnable.errors : r.problems;
  if (!r.plan || problems.length) {
    if (ctx.json) ctx.print("", problems);
    else ctx.note(`${path}: the compiled plan has ${problems.length} problem(s)\n${formatProblems(problems)}\n(see the intake report: purplectl validate --report ${path})`);
    return EXIT.failed;
  }
  ctx.print(canonicalYaml(r.plan).trimEnd(), r.plan);
  return EXIT.ok;
}

// validate --compile --model PATH: the rules compile, then the plan's model's, grounded in the text;
// prints the grounded plan (or its problems) and says on stderr what was dropped and where the two differ.
async function modelCompileCommand(ctx: Ctx, path: string): Promise<number> {
  const dir = resolve(path);
  if (compilableKind(dir) !== "markdown") throw new UsageError(`${path}: --model compiles markdown plans (a folder or one .md file) only`);
  const root = ctx.socket.root;
  const defaults = compileDefaultsHere(root);
  const { modelCompileFolder } = await import("../../inbox/markdown/model/compile.ts");
  const r = await modelCompileFolder(dir, planNameOf(dir), defaults, {});
  if (ctx.flags.report) {
    ctx.print(r.report.trimEnd(), { dropped: r.grounded.dropped, disagreements: r.disagreements, problems: r.problems });
    return r.problems.length ? EXIT.failed : EXIT.ok;
  }
  if (!ctx.json) {
    if (r.grounded.dropped.length) ctx.note(`dropped (not in the plan's text):\n${r.grounded.dropped.map((d) => `  ${d}`).join("\n")}`);
    if (r.disagreements.length) ctx.note(`the rules and the model disagree:\n${r.disagreements.map((d) => `  ${d}`).join("\n")}`);
  }
  const parsed = parsePlanText(r.yaml, "yaml");
  const problems = parsed.ok ? (root ? await checkTerritoriesOnDisk(parsed.plan, root) : []) : parsed.problems;
  if (!parsed.ok || problems.length) {
    if (ctx.json) ctx.print("", problems);
    else ctx.note(`${path}: the model-compiled plan has ${problems.length} problem(s)\n${formatProblems(problems)}`);
    return EXIT.failed;
  }
  ctx.print(canonicalYaml(parsed.plan).trimEnd(), { plan: parsed.plan, dropped: r.grounded.dropped, disagreements: r.disagreements });
  return EXIT.ok;
}
