// Records made durable before what they record takes effect outside. When the journal cannot be
// written (disk full) they wait, in order; the daemon shows itself degraded and starts nothing
// new; a retry every second catches up once there is space again. Snapshots compact the journal.
import type { JournalRecord, PlanSnapshot } from "../../protocol/index.ts";
import type { Logger } from "../../lib/logger.ts";
import type { Journal } from "../journal/journal.ts";

export class DurableLog {
  /** records the journal could not take yet: nothing new starts until they are written */
  private waiting: JournalRecord[] = [];
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly journal: Journal | undefined,
    private readonly logger: Logger,
    /** what a snapshot holds (every plan, encoded by the one codec) */
    private readonly plans: () => PlanSnapshot[],
    /** the journal caught up after a failure: work may start again */
    private readonly onWritable: () => void,
    private readonly snapshotEvery = 2_000,
  ) {}

  /** Records are waiting for the journal to take them. */
  get behind(): boolean {
    return this.waiting.length > 0;
  }

  append(records: JournalRecord[]): void {
    const journal = this.journal;
    if (!journal || records.length === 0) return;
    if (this.waiting.length > 0) return void this.waiting.push(...records);
    try {
      journal.append(records);
    } catch (err) {
      this.logger.error({ err }, "the journal cannot be written; no new work starts until it can");
      this.waiting.push(...records);
      this.retryLater();
      return;
    }
    if (journal.sinceSnapshot >= this.snapshotEvery) this.snapshot();
  }

  /** Write a snapshot of every plan (compacting the journal); false when it could not. */
  snapshot(): boolean {
    const journal = this.journal;
    if (!journal || this.waiting.length > 0) return false;
    try {
      return journal.snapshot(this.plans());
    } catch (err) {
      this.logger.warn({ err }, "writing a snapshot failed; the journal keeps every record meanwhile");
      return false;
    }
  }

  private retryLater(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      try {
        this.journal!.append(this.waiting);
        this.waiting = [];
        this.logger.info("the journal is writable again");
        this.onWritable();
      } catch {
        this.retryLater();
      }
    }, 1_000);
    this.retry.unref?.();
  }
}
