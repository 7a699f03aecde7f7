// What an attempt changed (SPEC §3, §10): each sandboxed process's changes are collected from its
// copy-on-write layer, checked against the agent's territory, and applied to the project only when
// every one of them is allowed. O/<plan>/agents/<agent>/changeset-<attempt>.json records the result.
import { z } from "zod";

/** One change: a file written, a directory made (or its mode changed), a symlink, a delete, or a special file. */
export const Change = z.strictObject({
  /** root-relative, forward slashes */
  path: z.string(),
  kind: z.enum(["file", "dir", "symlink", "delete", "special"]),
  /** permission bits of a file or directory (with setuid/setgid/sticky) */
  mode: z.number().int().optional(),
  size: z.number().int().optional(),
  /** a symlink's target */
  target: z.string().optional(),
  /** a directory the project already has, whose mode changed */
  modeOnly: z.boolean().optional(),
  /** paths of the project that this change removes (a deleted or replaced directory's whole subtree) */
  removes: z.array(z.string()).optional(),
});
export type Change = z.infer<typeof Change>;

export const Refusal = z.strictObject({ path: z.string(), kind: Change.shape.kind, reason: z.string() });
export type Refusal = z.infer<typeof Refusal>;

/** A settled changeset: applied (every change allowed) or held back (some refused: nothing applied). */
export const ChangesetRecord = z.strictObject({
  plan: z.string(),
  agent: z.string(),
  attempt: z.number().int(),
  /** what produced it: the agent's own process, or one of its commands (run_command, search_text) */
  source: z.string(),
  applied: z.boolean(),
  changes: z.array(Change),
  refused: z.array(Refusal),
  /** set when the changes were allowed but could not be written (disk full, ...): nothing was applied */
  error: z.string().optional(),
  /** a speculative attempt's allowed changes: held until the gate before its wave passes, or discarded (why) when it fails */
  held: z.boolean().optional(),
  discarded: z.string().optional(),
  at: z.string(),
});
export type ChangesetRecord = z.infer<typeof ChangesetRecord>;

/** The sandbox in force (daemon.json, daemon.status): the mechanism, or why there is none. */
export const SandboxInfo = z.strictObject({
  /** overlay: user+mount+PID namespaces with a copy-on-write view; off: O/purple.yaml says `sandbox: off`; none: nothing works here */
  kind: z.enum(["overlay", "off", "none"]),
  /** agents may start: a sandbox works, or it is explicitly off */
  agents: z.boolean(),
  detail: z.string(),
});
export type SandboxInfo = z.infer<typeof SandboxInfo>;
