// `purplectl logs PLAN [AGENT] [-f]`: the plan's status-log.md, or the agent's output.log (its
// transcript.jsonl for a model runner), read from O/<plan>/ as SPEC §3 names them. Agents wrote
// these files: only the last LOG_TAIL_BYTES are read (a 1 GiB log is never loaded whole), and
// terminal escape sequences are removed before anything is printed (lib/escape.ts).
import { closeSync, constants, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { safeForTerminal } from "../../lib/escape.ts";
import { join } from "node:path";
import { ID_PATTERN, PLAN_NAME_PATTERN } from "../../protocol/plan.ts";
import { PurpleError } from "../../protocol/errors.ts";
import type { Ctx } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { orchestrationOf } from "../find-root.ts";
import { FileFollower } from "../follow.ts";

/** How much of the end of a log is printed (and where `-f` starts following). */
export const LOG_TAIL_BYTES = 1024 * 1024;

/** Print the log; with -f keep printing what is appended until interrupted (then exit 0). */
export async function logs(ctx: Ctx, [plan, agent]: string[]): Promise<number> {
  if (!PLAN_NAME_PATTERN.test(plan!)) throw new UsageError(`'${plan}' is not a plan name (lowercase letters, digits and '-')`);
  if (agent !== undefined && !ID_PATTERN.test(agent)) throw new UsageError(`'${agent}' is not an agent id`);
  const dir = join(orchestrationOf(ctx.requireRoot()), plan!);
  if (!existsSync(dir)) throw new PurpleError("PLAN_NOT_FOUND", `no plan ${plan} under ${ctx.requireRoot()}`);
  const file = agent === undefined ? join(dir, "status-log.md") : agentLog(join(dir, "agents", agent));

  if (!ctx.flags.follow) {
    if (!existsSync(file)) throw new PurpleError("IO_ERROR", agent === undefined ? `${plan} has no status log yet` : `agent ${agent} of ${plan} has no output yet (${file})`);
    const tail = readTail(file, LOG_TAIL_BYTES);
    if (tail.skipped > 0) ctx.note(`(the first ${tail.skipped} bytes of ${file} are not shown; the last ${LOG_TAIL_BYTES} follow)`);
    process.stdout.write(safeForTerminal(tail.text));
    return EXIT.ok;
  }
  let interrupt!: () => void;
  const interrupted = new Promise<void>((r) => (interrupt = r));
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  if (!existsSync(file)) ctx.note(`(waiting for ${file} to appear)`);
  const follower = new FileFollower(file, (text) => process.stdout.write(safeForTerminal(text)), LOG_TAIL_BYTES);
  follower.start();
  await interrupted;
  follower.stop();
  process.off("SIGINT", interrupt);
  process.off("SIGTERM", interrupt);
  return EXIT.ok;
}

// The last `max` bytes of a regular file (from the first line start within them), and how many came before.
function readTail(file: string, max: number): { text: string; skipped: number } {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new PurpleError("IO_ERROR", `${file} is not a regular file`);
    let start = Math.max(0, st.size - max);
    const buf = Buffer.alloc(st.size - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n <= 0) break;
      got += n;
    }
    let bytes = buf.subarray(0, got);
    if (start > 0) {
      const nl = bytes.indexOf(10);
      if (nl >= 0 && nl < bytes.length - 1) {
        bytes = bytes.subarray(nl + 1);
        start += nl + 1;
      }
    }
    return { text: new TextDecoder().decode(bytes), skipped: start };
  } finally {
    closeSync(fd);
  }
}

// A command runner writes output.log, a model runner transcript.jsonl; before either exists, follow output.log.
function agentLog(agentDir: string): string {
  const transcript = join(agentDir, "transcript.jsonl");
  const output = join(agentDir, "output.log");
  return !existsSync(output) && existsSync(transcript) ? transcript : output;
}
