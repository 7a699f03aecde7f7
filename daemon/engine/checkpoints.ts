// Territory checkpoints for the engine: requests made together share one audit, and each audit
// starts after the request, so changes are blamed only on agents that were running meanwhile.
import type { Logger } from "../../lib/logger.ts";

export interface AuditResult {
  changes: { agent: string; paths: string[] }[];
  violations: { path: string; agents: string[]; action: "reverted" | "deleted" }[];
  durationMs: number;
}

/** What the engine needs of a territory auditor (daemon/territory/audit.ts, or a fake). */
export interface Auditor {
  checkpoint(running: { agent: string; territory: string[] }[]): Promise<AuditResult>;
}

export interface Participant {
  key: string;
  territory: string[];
}

/** Coalesces checkpoint requests and tracks which agents were running during each interval. */
export class Checkpoints {
  private live = new Map<string, Participant>();
  private exited = new Map<string, Participant>();
  private current: Promise<unknown> | null = null;
  private pending: Promise<AuditResult> | null = null;

  constructor(
    private auditor: Auditor | null,
    private readonly onResult: (r: AuditResult) => void,
    private readonly logger: Logger,
  ) {}

  /** Use a new auditor (its baseline taken now), e.g. after its state folder was deleted. */
  setAuditor(auditor: Auditor): void {
    this.auditor = auditor;
  }

  /** The agent's process is about to start: it takes part in audits from now on. */
  enter(p: Participant): void {
    this.live.set(p.key, p);
  }

  /** The agent's process has ended: it takes part in the next audit, then no more. */
  leave(key: string): void {
    const p = this.live.get(key);
    if (!p) return;
    this.live.delete(key);
    this.exited.set(key, p);
  }

  /** An audit that starts after this call; callers in the same tick share it. Rejects if the audit failed. */
  request(): Promise<AuditResult> {
    if (!this.auditor) return Promise.resolve({ changes: [], violations: [], durationMs: 0 });
    if (this.pending) return this.pending;
    const auditor = this.auditor;
    const run = async (): Promise<AuditResult> => {
      await this.current?.catch(() => {});
      this.pending = null;
      const included = [...this.exited.values()];
      const running = [...this.live.values(), ...included].map((p) => ({ agent: p.key, territory: p.territory }));
      const task = auditor.checkpoint(running);
      this.current = task;
      try {
        const result = await task;
        for (const p of included) this.exited.delete(p.key);
        this.onResult(result);
        return result;
      } catch (err) {
        this.logger.error({ err }, "territory audit failed");
        throw err;
      } finally {
        if (this.current === task) this.current = null;
      }
    };
    this.pending = run();
    return this.pending;
  }
}
