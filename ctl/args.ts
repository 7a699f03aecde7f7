// purplectl's flags: a small parser for the fixed set it has (node:util's parseArgs costs a
// compiled purplectl a millisecond to load). `--name value`, `--name=value`, `-f`, `-h`, and
// `--` ending the flags; anything unknown is a usage error.
import { UsageError } from "./errors.ts";

const OPTIONS = {
  root: "string", socket: "string", plan: "string", override: "string", note: "string",
  json: "boolean", wide: "boolean", help: "boolean", version: "boolean", follow: "boolean", compile: "boolean", model: "boolean", "claude-command": "boolean", report: "boolean", systemd: "boolean", launchd: "boolean", user: "boolean",
} as const;
const SHORT: Record<string, keyof typeof OPTIONS> = { f: "follow", h: "help" };

type Options = typeof OPTIONS;
export type Values = { [K in keyof Options]?: Options[K] extends "string" ? string : boolean };

/** Split argv into flag values and positionals; every flag may appear anywhere. */
export function parseArgv(argv: string[]): { values: Values; positionals: string[] } {
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const raw = arg.startsWith("--") ? arg.slice(2, eq > 0 ? eq : undefined) : arg.slice(1);
    const name = arg.startsWith("--") ? raw : SHORT[raw];
    if (!name || !Object.hasOwn(OPTIONS, name)) throw new UsageError(`unknown option '${arg}'`);
    if (OPTIONS[name as keyof Options] === "boolean") {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
    } else if (eq > 0) {
      values[name] = arg.slice(eq + 1);
    } else {
      const next = argv[++i];
      if (next === undefined || next.startsWith("-")) throw new UsageError(`--${name} needs a value`);
      values[name] = next;
    }
  }
  return { values: values as Values, positionals };
}
