// An attempt's changeset as the page shows it (protocol AttemptChangeset). Its source is the
// sandbox's record of the attempt (agents/<agent>/changeset-<attempt>.json, protocol
// ChangesetRecord): every change, applied or held back, and every refusal with its reason. Without
// one (`sandbox: off`) it is built from the agent's status: the files its attempts changed and the
// changes the audit undid. A file that reached the project gets its diff from the project's own
// git (against HEAD; a file git does not track shows whole, as added); a refused or held-back
// change never reached the project, so it is listed, marked, with why, and no diff.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ChangesetRecord, type AgentStatus, type AttemptChangeset, type Change, type ChangesetFile } from "../../protocol/index.ts";
import { readSmallFile } from "./files.ts";

const MAX_FILES_DIFFED = 40;
const MAX_DIFF_CHARS = 64 * 1024;
const GIT_TIMEOUT_MS = 5_000;
const MAX_RECORD_BYTES = 8 * 1024 * 1024;
const Records = z.array(ChangesetRecord);

/** The changeset of the agent's latest attempt, with diffs from git where the project has it. */
export async function changesetOf(root: string, agentDir: string, status: AgentStatus): Promise<AttemptChangeset> {
  const repo = existsSync(join(root, ".git")) && (await git(root, ["rev-parse", "--verify", "-q", "HEAD"])).code === 0;
  const records = readRecords(agentDir, status.attempt);
  const listed = records ? fromRecords(root, records) : fromStatus(status);
  let diffed = 0;
  const files: ChangesetFile[] = [];
  for (const f of listed) {
    if (f.refused || f.action === "held" || diffed >= MAX_FILES_DIFFED) {
      files.push(f);
      continue;
    }
    diffed++;
    const diff = await diffOf(root, f.path, repo);
    files.push({ ...f, change: diff === null ? f.change : changeOf(diff), diff: clip(diff), truncated: (diff?.length ?? 0) > MAX_DIFF_CHARS });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    plan: status.plan,
    agent: status.agent,
    attempt: status.attempt,
    source: records ? "changeset" : "status",
    base: repo ? "the project's HEAD commit (files git does not track show whole)" : "nothing (the project is not a git repository: files show whole)",
    files,
  };
}

const entry = (path: string, change: ChangesetFile["change"], refused: boolean, action: ChangesetFile["action"], reason: string | null): ChangesetFile =>
  ({ path, change, refused, action, reason, diff: null, truncated: false });

function readRecords(agentDir: string, attempt: number): ChangesetRecord[] | null {
  const text = readSmallFile(join(agentDir, `changeset-${attempt}.json`), MAX_RECORD_BYTES);
  if (text === null) return null;
  try {
    const parsed = Records.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Every change of every record (the agent's own process and its commands), and every refusal. */
function fromRecords(root: string, records: ChangesetRecord[]): ChangesetFile[] {
  const out = new Map<string, ChangesetFile>();
  for (const r of records) {
    for (const c of r.changes) {
      if (c.kind === "dir" && !c.modeOnly) continue; // a new directory shows through the files in it
      const held = r.applied ? null : r.error ?? "another change of this attempt was refused, and an attempt's changes apply all or nothing";
      if (!out.has(c.path)) out.set(c.path, entry(c.path, changeKind(root, c), false, held ? "held" : null, held));
    }
    for (const x of r.refused) out.set(x.path, entry(x.path, x.kind === "delete" ? "deleted" : existsSync(join(root, x.path)) ? "modified" : "added", true, "refused", x.reason));
  }
  return [...out.values()];
}

function changeKind(root: string, c: Change): ChangesetFile["change"] {
  if (c.kind === "delete") return "deleted";
  return c.modeOnly || existsSync(join(root, c.path)) ? "modified" : "added";
}

/** From the agent's status: the files its attempts changed, and the changes the audit undid. */
function fromStatus(status: AgentStatus): ChangesetFile[] {
  const refused = new Map(status.violations.map((v) => [v.path, v]));
  const files = status.changedFiles.filter((p) => !refused.has(p)).map((p) => entry(p, "unknown", false, null, null));
  // "deleted": a file it added was taken out of the tree; "reverted": an existing file was put back
  for (const v of refused.values()) files.push(entry(v.path, v.action === "deleted" ? "added" : "modified", true, v.action, "is outside the agent's territory"));
  return files;
}

async function diffOf(root: string, path: string, repo: boolean): Promise<string | null> {
  if (repo) {
    const tracked = await git(root, ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "HEAD", "--", path]);
    if (tracked.code === 0 && tracked.out) return tracked.out;
  }
  if (!existsSync(join(root, path))) return null;
  // --no-index exits 1 when the files differ, which they always do here
  const whole = await git(root, ["diff", "--no-index", "--no-color", "--no-ext-diff", "--no-textconv", "--", "/dev/null", path]);
  return whole.code <= 1 && whole.out ? whole.out : null;
}

function changeOf(diff: string): ChangesetFile["change"] {
  if (/^new file mode/m.test(diff)) return "added";
  if (/^deleted file mode/m.test(diff)) return "deleted";
  return "modified";
}

const clip = (diff: string | null) => (diff === null || diff.length <= MAX_DIFF_CHARS ? diff : diff.slice(0, MAX_DIFF_CHARS));

/** git read-only in the project: no system or global config, no fsmonitor hook, no optional locks. */
async function git(root: string, args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(["git", "-c", "core.fsmonitor=false", "-c", "core.quotepath=false", ...args], {
    cwd: root,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "ignore",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_OPTIONAL_LOCKS: "0", GIT_TERMINAL_PROMPT: "0" },
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), GIT_TIMEOUT_MS);
  try {
    const out = await readStream(proc.stdout, MAX_DIFF_CHARS + 1, () => proc.kill("SIGKILL"));
    const code = await proc.exited;
    return { code: out.length > MAX_DIFF_CHARS ? 0 : code, out }; // cut short by us, not failed
  } finally {
    clearTimeout(timer);
  }
}

/** The first `max` characters of a stream; past that the producer is stopped. */
async function readStream(stream: ReadableStream<Uint8Array>, max: number, stop: () => void): Promise<string> {
  const decoder = new TextDecoder();
  let out = "";
  for await (const chunk of stream) {
    out += decoder.decode(chunk, { stream: true });
    if (out.length > max) {
      stop();
      return out.slice(0, max);
    }
  }
  return out + decoder.decode();
}
