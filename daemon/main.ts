// purpled's command line: parse flags, then hand over to the lifecycle owner.
import { parseArgs } from "node:util";
import { runDaemon } from "./lifecycle/daemon.ts";
import { parseDuration, parseListen } from "../protocol/index.ts";
import { VERSION } from "./version.ts";
import { runWriteHook, WRITE_HOOK_FLAG } from "./runners/claude-code/write-hook.ts";

// Claude Code agents of the compiled purpled run their write hook as `purpled --claude-write-hook`.
if (process.argv[2] === WRITE_HOOK_FLAG) process.exit(await runWriteHook());

const USAGE = `usage: purpled [--root DIR] [--max-agents N] [--log-level LEVEL] [--grace DURATION]

Runs the orchestration plans dropped into DIR/.context-kit/orchestration/ (default: the
current directory) until SIGTERM or SIGINT; a second signal forces the stop.

  --root DIR           the project root (default: .)
  --socket PATH        the control socket (default: DIR/.context-kit/orchestration/.purple/purpled.sock,
                       or a short path under $XDG_RUNTIME_DIR or /tmp/purple-$UID when that is too long)
  --config FILE        defaults for compiled markdown/Purple plans (default: O/purple.yaml if present)
  --max-agents N       agents running at once across every plan (default 8)
  --log-level LEVEL    trace, debug, info, warn, error (default info); JSON logs on stderr
  --grace DURATION     time between SIGTERM and SIGKILL for agents (default 10s)
  --retry-base DURATION  first retry backoff, doubling each attempt (default 2s)
  --rescan DURATION    how often the inbox is rescanned for missed events (default 5s)
  --max-plan-bytes N   size cap for a plan file (default 1048576)
  --http HOST:PORT     serve the web view on this loopback address (port 0: any free one; default:
                       O/purple.yaml's http:, else off); open it with \`purplectl dashboard\`
  --sandbox on|off     run agents and gate commands in the sandbox (default: O/purple.yaml's
                       \`sandbox\`, else on); off runs them unsandboxed, checked by the territory audit
  --version, --help`;

function main(): Promise<number> | number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        root: { type: "string", default: "." },
        socket: { type: "string" },
        config: { type: "string" },
        "max-agents": { type: "string", default: "8" },
        "log-level": { type: "string", default: "info" },
        grace: { type: "string", default: "10s" },
        "retry-base": { type: "string", default: "2s" },
        rescan: { type: "string", default: "5s" },
        "max-plan-bytes": { type: "string", default: String(1024 * 1024) },
        http: { type: "string" },
        sandbox: { type: "string" },
        version: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`purpled: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) return void process.stdout.write(USAGE + "\n"), 0;
  if (values.version) return void process.stdout.write(VERSION + "\n"), 0;
  const maxAgents = Number(values["max-agents"]);
  const maxPlanBytes = Number(values["max-plan-bytes"]);
  if (!Number.isInteger(maxAgents) || maxAgents < 1) return usageError(`--max-agents must be a positive whole number, not ${values["max-agents"]}`);
  if (!Number.isInteger(maxPlanBytes) || maxPlanBytes < 1) return usageError(`--max-plan-bytes must be a positive whole number`);
  if (values.sandbox !== undefined && values.sandbox !== "on" && values.sandbox !== "off") return usageError(`--sandbox must be on or off, not ${values.sandbox}`);
  if (!["trace", "debug", "info", "warn", "error", "fatal", "silent"].includes(values["log-level"]!)) return usageError(`unknown --log-level ${values["log-level"]}`);
  const http = values.http === undefined ? undefined : parseListen(values.http);
  if (typeof http === "string") return usageError(`--http: ${http}`);
  try {
    return runDaemon({
      http,
      root: values.root!,
      socket: values.socket,
      config: values.config,
      maxAgents,
      logLevel: values["log-level"]!,
      graceMs: parseDuration(values.grace!),
      retryBaseMs: parseDuration(values["retry-base"]!),
      rescanMs: parseDuration(values.rescan!),
      maxPlanBytes,
      sandbox: values.sandbox as "on" | "off" | undefined,
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
}

function usageError(message: string): number {
  process.stderr.write(`purpled: ${message}\n${USAGE}\n`);
  return 2;
}

// The lifecycle owner has drained (or forced) and cleaned up: exit now rather than wait for
// whatever a forced stop left pending (a killed agent's attempt, a timer).
process.exit(await main());
