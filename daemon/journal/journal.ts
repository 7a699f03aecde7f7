// The journal on disk: segments journal-<seq>.jsonl of `<crc32> <json>` lines, each append
// fsynced before it is acted on, and snapshots snapshot-<seq>.json that let old segments go.
// Opening it recovers: the newest snapshot that reads (falling back to the one before), then
// every record after it. A torn last line is dropped; damage anywhere else stops the start,
// naming the file and the byte where it is.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { JournalRecord, PurpleError, Snapshot } from "../../protocol/index.ts";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { crashPoint } from "../../lib/crash.ts";

export interface Recovered {
  snapshot: Snapshot | null;
  records: JournalRecord[];
  /** what was skipped on the way (a torn line, an unreadable snapshot), for the log */
  warnings: string[];
}

/** The system calls an append makes (tests replace them to make a write come up short). */
export const journalIo = { writeSync, fsyncSync };

const SEGMENT = /^journal-(\d+)\.jsonl$/;
const SNAPSHOT = /^snapshot-(\d+)\.json$/;

export class Journal {
  private fd: number;
  private seq: number;
  private base: number;
  private lastSnapshotPlans: number;

  private constructor(private readonly dir: string, fd: number, seq: number, base: number, lastSnapshotPlans: number) {
    this.fd = fd;
    this.seq = seq;
    this.base = base;
    this.lastSnapshotPlans = lastSnapshotPlans;
  }

  /** Open the journal in `dir`, recovering what it holds. Throws IO_ERROR on corruption it must not guess past. */
  static open(dir: string): { journal: Journal; recovered: Recovered } {
    const files = readdirSync(dir);
    const segments = files.flatMap((f) => (SEGMENT.test(f) ? [{ file: f, seq: Number(SEGMENT.exec(f)![1]) }] : [])).sort((a, b) => a.seq - b.seq);
    const snapshots = files.flatMap((f) => (SNAPSHOT.test(f) ? [{ file: f, seq: Number(SNAPSHOT.exec(f)![1]) }] : [])).sort((a, b) => b.seq - a.seq);
    const warnings: string[] = [];
    let snapshot: Snapshot | null = null;
    for (const s of snapshots) {
      const read = readSnapshot(join(dir, s.file));
      if (read) {
        snapshot = read;
        break;
      }
      warnings.push(`snapshot ${s.file} is unreadable or empty; falling back to the one before it`);
    }
    const base = snapshot?.seq ?? 0;
    if (snapshots.length > 0 && !snapshot && !segments.some((s) => s.seq === 0))
      throw new PurpleError("IO_ERROR", `no snapshot in ${dir} can be read (${snapshots.map((s) => s.file).join(", ")}) and the journal from the start is gone; the state cannot be rebuilt`);
    const replay = segments.filter((s) => s.seq >= base);
    if (replay.length > 0 && replay[0]!.seq !== base)
      throw new PurpleError("IO_ERROR", `the journal in ${dir} has a gap: the snapshot ends at record ${base} but the next segment is ${replay[0]!.file}`);
    const records: JournalRecord[] = [];
    replay.forEach((s, i) => {
      const { records: got, tornAt } = readSegment(join(dir, s.file), i === replay.length - 1);
      records.push(...got);
      if (tornAt !== null) {
        warnings.push(`dropped a torn record at the end of ${s.file} (byte ${tornAt})`);
        const fd = openSync(join(dir, s.file), "r+");
        try { ftruncateSync(fd, tornAt); fsyncSync(fd); } finally { closeSync(fd); }
      }
    });
    const segmentSeq = replay.length ? replay[replay.length - 1]!.seq : base;
    const fd = openSync(join(dir, `journal-${segmentSeq}.jsonl`), "a", 0o600);
    const journal = new Journal(dir, fd, base + records.length, segmentSeq, snapshot?.plans.length ?? 0);
    return { journal, recovered: { snapshot, records, warnings } };
  }

  /** Records written since the last snapshot. */
  get sinceSnapshot(): number {
    return this.seq - this.base;
  }

  /**
   * Append records and fsync them: when this returns, they survive a crash. Every byte is
   * written or none: a write that comes up short or fails is cut back to where the append
   * began, and the error thrown (a partial line must never count as durable).
   */
  append(records: readonly JournalRecord[]): void {
    if (records.length === 0) return;
    let text = "";
    for (const r of records) {
      const json = JSON.stringify(r);
      text += `${Bun.hash.crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
    }
    const bytes = Buffer.from(text, "utf8");
    const start = fstatSync(this.fd).size;
    try {
      for (let off = 0; off < bytes.length; ) {
        const n = journalIo.writeSync(this.fd, bytes, off, bytes.length - off);
        if (n <= 0) throw new PurpleError("IO_ERROR", `the journal write stopped after ${off} of ${bytes.length} bytes`);
        off += n;
      }
      journalIo.fsyncSync(this.fd);
    } catch (err) {
      try {
        ftruncateSync(this.fd, start);
      } catch {
        // the torn tail is dropped at the next start anyway
      }
      throw err;
    }
    this.seq += records.length;
    crashPoint("after-append");
  }

  /**
   * Write a snapshot of the whole state and start a new segment after it. Refuses to save fewer
   * plans than the last snapshot had (plans are never forgotten: fewer means something is wrong).
   * Keeps the previous snapshot and its segments, so a damaged newest snapshot can fall back.
   */
  snapshot(plans: Snapshot["plans"]): boolean {
    if (plans.length < this.lastSnapshotPlans) return false;
    const snap: Snapshot = { version: 2, seq: this.seq, at: Date.now(), plans };
    writeFileAtomic(join(this.dir, `snapshot-${this.seq}.json`), JSON.stringify(snap));
    const next = openSync(join(this.dir, `journal-${this.seq}.jsonl`), "a", 0o600);
    closeSync(this.fd);
    this.fd = next;
    this.base = this.seq;
    this.lastSnapshotPlans = plans.length;
    this.prune();
    return true;
  }

  /** The folder was deleted under the journal: carry on in a new segment (a snapshot should follow at once). */
  restart(): void {
    try { closeSync(this.fd); } catch {}
    this.fd = openSync(join(this.dir, `journal-${this.seq}.jsonl`), "a", 0o600);
    this.base = this.seq;
    this.lastSnapshotPlans = 0;
  }

  close(): void {
    try { closeSync(this.fd); } catch {}
  }

  // Keep the two newest snapshots and the segments from the older of them on.
  private prune(): void {
    const files = readdirSync(this.dir);
    const snaps = files.flatMap((f) => (SNAPSHOT.test(f) ? [Number(SNAPSHOT.exec(f)![1])] : [])).sort((a, b) => b - a);
    if (snaps.length < 2) return;
    const keepFrom = snaps[1]!;
    for (const f of files) {
      const m = SNAPSHOT.exec(f) ?? SEGMENT.exec(f);
      if (m && Number(m[1]) < keepFrom) try { unlinkSync(join(this.dir, f)); } catch {}
    }
  }
}

function readSnapshot(path: string): Snapshot | null {
  try {
    const raw = JSON.parse(readFileSync(path, "utf8"));
    if (typeof raw?.version === "number" && raw.version < 2)
      throw new PurpleError("IO_ERROR", `the snapshot ${path} was written by an earlier purpled (format ${raw.version}) that this one cannot replay; let that version finish its plans, or move ${dirname(path)} aside to start with no history`);
    const r = Snapshot.safeParse(raw);
    return r.success ? r.data : null;
  } catch (err) {
    if (err instanceof PurpleError) throw err;
    return null;
  }
}

/** Every good record of a segment; a bad line is torn (dropped) only at the very end of the last segment. */
function readSegment(path: string, last: boolean): { records: JournalRecord[]; tornAt: number | null } {
  const buf = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
  const records: JournalRecord[] = [];
  let offset = 0;
  let line = 0;
  while (offset < buf.length) {
    const nl = buf.indexOf(10, offset);
    const end = nl < 0 ? buf.length : nl;
    line += 1;
    const record = nl < 0 ? null : decode(buf.subarray(offset, end).toString("utf8"));
    if (record === OLDER_FORMAT)
      throw new PurpleError("IO_ERROR", `the journal ${path} was written by an earlier purpled whose journal format this one cannot replay (line ${line}); let that version finish its plans, or move ${dirname(path)} aside to start with no history`);
    if (record === null) {
      const atEnd = nl < 0 || nl === buf.length - 1;
      if (last && atEnd) return { records, tornAt: offset };
      throw new PurpleError("IO_ERROR", `the journal ${path} is corrupt at byte ${offset} (line ${line}); purpled will not guess past it. Move the file aside to start from the last snapshot`);
    }
    records.push(record);
    offset = end + 1;
  }
  return { records, tornAt: null };
}

/** A line whose checksum holds but whose record this version does not know: an older journal, not damage. */
const OLDER_FORMAT = Symbol("older journal format");

function decode(text: string): JournalRecord | null | typeof OLDER_FORMAT {
  const space = text.indexOf(" ");
  if (space !== 8) return null;
  const json = text.slice(9);
  if (Bun.hash.crc32(json).toString(16).padStart(8, "0") !== text.slice(0, 8)) return null;
  try {
    const r = JournalRecord.safeParse(JSON.parse(json));
    return r.success ? r.data : OLDER_FORMAT;
  } catch {
    return null;
  }
}
