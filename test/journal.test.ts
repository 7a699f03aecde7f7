// The journal on disk: appends survive a reopen, a torn tail is dropped, damage elsewhere stops
// the start naming where, a bad snapshot falls back to the one before, fewer plans never overwrite more.
import { expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JournalRecord, PlanSnapshot } from "../protocol/index.ts";
import type { Recovered } from "../daemon/journal/journal.ts";
import { DEFAULT_RETRY } from "../daemon/core/outcomes.ts";
import { encodePlan } from "../daemon/journal/codec.ts";
import { Journal, journalIo } from "../daemon/journal/journal.ts";
import { rebuild as rebuildPlans } from "../daemon/journal/replay.ts";

const dir = () => mkdtempSync(join(tmpdir(), "purple-journal-"));
const body = { apiVersion: "purple/v1", name: "p", agents: [{ id: "a" }, { id: "b" }], waves: [{ id: "w", agents: ["a", "b"] }] };
const accepted: JournalRecord = { t: "plan", plan: "p", hash: "h", dir: "/x/p", source: "plan.yaml", approval: false, body, at: 1 };
const queued: JournalRecord = { t: "step", plan: "p", step: { type: "accept", approval: false }, at: 1 };
const running: JournalRecord = { t: "step", plan: "p", step: { type: "start-plan" }, at: 2 };
const waveRuns: JournalRecord = { t: "step", plan: "p", step: { type: "start-wave", wave: "w" }, at: 2 };
const aRuns: JournalRecord = { t: "step", plan: "p", step: { type: "start-agent", agent: "a" }, at: 3 };
const aDone: JournalRecord = { t: "step", plan: "p", step: { type: "attempt-ended", agent: "a", outcome: "finished", message: "done", trespass: [], validate: false, final: false }, at: 4 };

/** The plans rebuilt from what was recovered, in their snapshot form (the one codec). */
const rebuild = (r: Pick<Recovered, "snapshot" | "records">): PlanSnapshot[] => rebuildPlans(r, { retry: DEFAULT_RETRY }).map(encodePlan);

test("records appended are there after a reopen, and rebuild the state", () => {
  const d = dir();
  const { journal } = Journal.open(d);
  journal.append([accepted, queued, running, waveRuns, aRuns, aDone]);
  journal.close();
  const { recovered } = Journal.open(d);
  expect(recovered.records.length).toBe(6);
  const [p] = rebuild(recovered);
  expect(p!.state).toBe("running");
  expect(p!.agents.a).toMatchObject({ state: "completed", attempt: 1, startedAt: 3, completedAt: 4 });
  expect(p!.agents.b!.state).toBe("queued");
});

test("a torn last record is dropped (and cut from the file); everything before it stays", () => {
  const d = dir();
  const { journal } = Journal.open(d);
  journal.append([accepted, queued]);
  journal.close();
  const file = join(d, "journal-0.jsonl");
  const good = statSync(file).size;
  appendFileSync(file, '1234abcd {"t":"agent-st'); // a write cut short by a crash
  const { recovered } = Journal.open(d);
  expect(recovered.records.length).toBe(2);
  expect(recovered.warnings.join()).toContain("torn");
  expect(statSync(file).size).toBe(good);
});

test("corruption in the middle stops the start, naming the file and the byte", () => {
  const d = dir();
  const { journal } = Journal.open(d);
  journal.append([accepted, queued, running]);
  journal.close();
  const file = join(d, "journal-0.jsonl");
  const text = readFileSync(file, "utf8");
  const second = text.indexOf("\n") + 1;
  writeFileSync(file, text.slice(0, second + 12) + "X" + text.slice(second + 13)); // one byte flipped in record 2
  expect(() => Journal.open(d)).toThrow(new RegExp(`journal-0\\.jsonl is corrupt at byte ${second} \\(line 2\\)`));
});

test("a garbage or empty snapshot falls back to the previous one plus the journal", () => {
  for (const damage of ["garbage", "empty"]) {
    const d = dir();
    const { journal } = Journal.open(d);
    journal.append([accepted, queued]);
    const plans = rebuild({ snapshot: null, records: [accepted, queued] });
    expect(journal.snapshot(plans)).toBe(true); // snapshot-2
    journal.append([running]);
    expect(journal.snapshot(rebuild({ snapshot: null, records: [accepted, queued, running] }))).toBe(true); // snapshot-3
    journal.append([waveRuns, aRuns, aDone]);
    journal.close();
    writeFileSync(join(d, "snapshot-3.json"), damage === "garbage" ? "\u0000\u0001not json at all" : "");
    const { recovered } = Journal.open(d);
    expect(recovered.snapshot!.seq).toBe(2);
    expect(recovered.warnings.join()).toContain("snapshot-3.json");
    const [p] = rebuild(recovered);
    expect(p!.agents.a!.state).toBe("completed"); // snapshot-2 + journal-2 + journal-3
  }
});

test("a snapshot with fewer plans never replaces one with more; old files are pruned to two snapshots", () => {
  const d = dir();
  const { journal } = Journal.open(d);
  journal.append([accepted]);
  const one: PlanSnapshot[] = rebuild({ snapshot: null, records: [accepted] });
  expect(journal.snapshot(one)).toBe(true);
  expect(journal.snapshot([])).toBe(false);
  for (let i = 0; i < 3; i++) {
    journal.append([queued]);
    journal.snapshot(one);
  }
  const snaps = readdirSync(d).filter((f) => f.startsWith("snapshot-"));
  expect(snaps.length).toBe(2);
  journal.close();
  expect(rebuild(Journal.open(d).recovered).length).toBe(1);
});

test("a short write is never counted as durable: the append is cut back and the error reported", () => {
  const d = dir();
  const { journal } = Journal.open(d);
  journal.append([accepted, queued]);
  const file = join(d, "journal-0.jsonl");
  const before = statSync(file).size;
  const real = journalIo.writeSync;
  let calls = 0;
  // the first write takes 10 bytes, the next fails as a full disk would
  journalIo.writeSync = ((fd: number, buf: Buffer, off: number, len: number) => {
    if (calls++ === 0) return real(fd, buf, off, Math.min(10, len));
    throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
  }) as typeof journalIo.writeSync;
  try {
    expect(() => journal.append([running, waveRuns])).toThrow(/ENOSPC/);
  } finally {
    journalIo.writeSync = real;
  }
  expect(statSync(file).size).toBe(before);
  journal.append([running]); // the next append lands on a clean line
  journal.close();
  const { recovered } = Journal.open(d);
  expect(recovered.warnings).toEqual([]);
  expect(recovered.records.map((r) => r.t === "step" && r.step.type)).toEqual([false, "accept", "start-plan"]);
});

test("a journal or snapshot of an earlier format is named as such, not as damage", () => {
  const line = (json: string) => `${Bun.hash.crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
  const older = dir();
  // a well-formed line (its checksum holds) of a record kind this version does not know
  writeFileSync(join(older, "journal-0.jsonl"), line(JSON.stringify({ t: "agent-state", plan: "p", agent: "a", to: "running", at: 1 })));
  expect(() => Journal.open(older)).toThrow(/earlier purpled/);
  const oldSnap = dir();
  writeFileSync(join(oldSnap, "snapshot-5.json"), JSON.stringify({ version: 1, seq: 5, at: 1, plans: [] }));
  expect(() => Journal.open(oldSnap)).toThrow(/earlier purpled \(format 1\)/);
  // a line whose checksum fails is still damage
  const damaged = dir();
  writeFileSync(join(damaged, "journal-0.jsonl"), line(JSON.stringify(accepted)) + "00000000 {\"t\":\"x\"}\n" + line(JSON.stringify(queued)));
  expect(() => Journal.open(damaged)).toThrow(/corrupt at byte/);
});
