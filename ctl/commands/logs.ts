// `purplectl logs PLAN [AGENT] [-f]`: the plan's status-log.md, or the agent's output.log (its
// transcript.jsonl for a model runner), read from O/<plan>/ as SPEC §3 names them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ID_PATTERN, PLAN_NAME_PATTERN } from "../../protocol/plan.ts";
import { PurpleError } from "../../protocol/errors.ts";
import type { Ctx } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { orchestrationOf } from "../find-root.ts";
import { FileFollower } from "../follow.ts";

/** Print the log; with -f keep printing what is appended until interrupted (then exit 0). */
export async function logs(ctx: Ctx, [plan, agent]: string[]): Promise<number> {
  if (!PLAN_NAME_PATTERN.test(plan!)) throw new UsageError(`'${plan}' is not a plan name (lowercase letters, digits and '-')`);
  if (agent !== undefined && !ID_PATTERN.test(agent)) throw new UsageError(`'${agent}' is not an agent id`);
  const dir = join(orchestrationOf(ctx.requireRoot()), plan!);
  if (!existsSync(dir)) throw new PurpleError("PLAN_NOT_FOUND", `no plan ${plan} under ${ctx.requireRoot()}`);
  const file = agent === undefined ? join(dir, "status-log.md") : agentLog(join(dir, "agents", agent));

  if (!ctx.flags.follow) {
    if (!existsSync(file)) throw new PurpleError("IO_ERROR", agent === undefined ? `${plan} has no status log yet` : `agent ${agent} of ${plan} has no output yet (${file})`);
    process.stdout.write(readFileSync(file));
    return EXIT.ok;
  }
  let interrupt!: () => void;
  const interrupted = new Promise<void>((r) => (interrupt = r));
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  if (!existsSync(file)) ctx.note(`(waiting for ${file} to appear)`);
  const follower = new FileFollower(file, (text) => process.stdout.write(text));
  follower.start();
  await interrupted;
  follower.stop();
  process.off("SIGINT", interrupt);
  process.off("SIGTERM", interrupt);
  return EXIT.ok;
}

// A command runner writes output.log, a model runner transcript.jsonl; before either exists, follow output.log.
function agentLog(agentDir: string): string {
  const transcript = join(agentDir, "transcript.jsonl");
  const output = join(agentDir, "output.log");
  return !existsSync(output) && existsSync(transcript) ? transcript : output;
}
