// The Claude Code conversation an agent is in, kept in O/<plan>/agents/<agent>/claude-session.json
// (written atomically before the process starts, so a crash right after still knows it). The next
// attempt resumes it (`--resume`) when the last one never reached its final result — a crash of
// purpled, a drain, a stall, a timeout, a cancel — and Claude Code has the conversation on disk;
// otherwise it starts a new session. The agent's sandbox cannot write this file.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../../lib/atomic-write.ts";

export const SessionRecord = z.strictObject({
  sessionId: z.uuid(),
  /** the working directory: Claude Code resumes a session only from the one it began in */
  cwd: z.string(),
  attempt: z.number().int(),
  startedAt: z.string(),
  /** null while it runs; set when the attempt ends */
  ended: z.strictObject({ at: z.string(), outcome: z.string(), complete: z.boolean() }).nullable(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

export const SESSION_FILE = "claude-session.json";

/** The agent's last session record, or null (none, or unreadable: then a new session starts). */
export function readSession(agentDir: string): SessionRecord | null {
  try {
    const parsed = SessionRecord.safeParse(JSON.parse(readFileSync(join(agentDir, SESSION_FILE), "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeSession(agentDir: string, record: SessionRecord): void {
  writeFileAtomic(join(agentDir, SESSION_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** Which session this attempt runs: the interrupted one resumed, or a new one. */
export function chooseSession(agentDir: string, cwd: string, configDir: string): { sessionId: string; resume: boolean } {
  const last = readSession(agentDir);
  if (last && !last.ended?.complete && last.cwd === cwd && conversationSaved(configDir, last.sessionId)) return { sessionId: last.sessionId, resume: true };
  return { sessionId: crypto.randomUUID(), resume: false };
}

/** Has Claude Code saved this conversation ($CLAUDE_CONFIG_DIR/projects/<cwd as a name>/<id>.jsonl)? */
export function conversationSaved(configDir: string, sessionId: string): boolean {
  const projects = join(configDir, "projects");
  try {
    return readdirSync(projects).some((d) => existsSync(join(projects, d, `${sessionId}.jsonl`)));
  } catch {
    return false;
  }
}
