// How a runner starts a process for its agent: `sandboxed(ctx, argv, env, cwd)` gives the command
// to spawn (inside a fresh copy-on-write view of the project when the attempt has a sandbox, as it
// is otherwise) and, once the process tree has ended, `finish` checks and applies what it changed
// (daemon/sandbox/executor.ts). Every runner (command, anthropic's commands, claude-code) goes
// through here, so none of them can start a process the sandbox does not hold.
import type { Settled } from "../sandbox/executor.ts";
import type { RunContext } from "./runner.ts";

export interface SandboxedCommand {
  cmd: string[];
  env: Record<string, string>;
  /** true when the command runs in a sandbox */
  readonly contained: boolean;
  /**
   * The process tree has ended: check its changes and apply them when `apply` (the agent finished)
   * and every change is allowed; null without a sandbox. Call exactly once.
   */
  finish(opts: { apply: boolean }): Settled | null;
  /** The process never ran or its changes do not matter (a search): drop the view unread. */
  discard(): void;
}

export interface SandboxedOptions {
  /** what the changeset record calls this process: "agent", "run_command `npm test`", ... */
  source?: string;
  /** host folders outside the project the process may write directly (a runner's own config dir) */
  writable?: string[];
}

/** `argv` run for the agent of `ctx` in its sandbox, with `env`, from `cwd` (inside the project). */
export function sandboxed(ctx: Pick<RunContext, "sandbox">, argv: string[], env: Record<string, string>, cwd: string, opts: SandboxedOptions = {}): SandboxedCommand {
  const sandbox = ctx.sandbox ?? null;
  if (!sandbox) return { cmd: argv, env, contained: false, finish: () => null, discard() {} };
  const view = sandbox.view(opts.writable ?? []);
  const wrapped = view.wrap(argv, env, cwd);
  let done = false;
  return {
    ...wrapped,
    contained: true,
    finish({ apply }) {
      if (done) throw new Error("finish() was already called for this sandboxed command");
      done = true;
      return sandbox.settle(view, opts.source ?? "agent", apply);
    },
    discard() {
      if (done) return;
      done = true;
      sandbox.drop(view);
    },
  };
}

/** One line for the agent's log or a tool's answer: what became of a sandboxed process's changes. */
export function describeSettled(s: Settled): string {
  if (s.refused.length > 0) return `purple: held back ${s.changes.length} change(s); refused: ${s.refused.map((r) => `${r.path} (${r.reason})`).join("; ")}`;
  if (s.error) return `purple: ${s.error}`;
  if (s.changes.length === 0) return "purple: no changes to the project";
  return s.applied ? `purple: applied ${s.changes.length} change(s) to the project` : `purple: discarded ${s.changes.length} change(s): the process did not finish`;
}
