// zod issues as plan problems: dotted paths, one problem per unknown key, and union failures
// narrowed to the branch the author meant (or one plain sentence when none fits).
import type { z } from "zod";
import type { Problem } from "../protocol/errors.ts";

const GATE_KINDS = "run, exists, contains, exports, contract, judge, manual";

/** Every zod issue of a failed parse, as problems with dotted paths (`agents.2.territory.0`). */
export function zodProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): Problem[] {
  return issues.flatMap((issue) => issueProblems(issue, prefix));
}

function issueProblems(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): Problem[] {
  const at = [...prefix, ...issue.path];
  if (issue.code === "unrecognized_keys")
    return issue.keys.map((key) => ({ path: dotted([...at, key]), message: `unknown key "${key}"` }));
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    // A branch that did not reject the object's own keys is the one the author was writing.
    const meant = issue.errors.filter((branch) => !branch.some((i) => i.code === "unrecognized_keys" && i.path.length === 0));
    if (meant.length === 1) return zodProblems(meant[0]!, at);
    if (isCheckPath(at)) return [{ path: dotted(at), message: `a check is an object with exactly one of the keys ${GATE_KINDS}` }];
    const options = [...new Set(issue.errors.map((branch) => plain(branch[0]?.message ?? "invalid")))];
    return [{ path: dotted(at), message: `matches none of the allowed forms: ${options.join("; or ")}` }];
  }
  return [{ path: dotted(at), message: plain(issue.message) }];
}

function isCheckPath(path: readonly PropertyKey[]): boolean {
  const parent = path[path.length - 2];
  return typeof path[path.length - 1] === "number" && (parent === "gate" || parent === "checks");
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

function plain(message: string): string {
  return message.replace(/^Invalid input: /, "");
}
