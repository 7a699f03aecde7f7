// The recent rejections, in memory, for plan.rejections, `purplectl status` and `watch NAME`: every
// inbox item the watcher refused and every plan.submit that was refused, newest last.
import { relative } from "node:path";
import { rejectionName, type Problem, type Rejection } from "../../protocol/index.ts";

const KEEP = 50;

export class Rejections {
  private readonly items: Rejection[] = [];

  /** `orch` is O: items inside it are named relative to it (inbox/typo.yaml, my-plan/plan.yaml). */
  constructor(private readonly orch: string, private readonly now: () => number = Date.now) {}

  record(path: string, problems: Problem[]): void {
    const rel = relative(this.orch, path);
    const item = rel && !rel.startsWith("..") ? rel : path;
    this.items.push({ item, at: new Date(this.now()).toISOString(), problems: problems.map((p) => ({ path: p.path, message: p.message })) });
    if (this.items.length > KEEP) this.items.splice(0, this.items.length - KEEP);
  }

  /** A plan submitted again and accepted is no longer a rejection to show. */
  clear(name: string): void {
    for (let i = this.items.length - 1; i >= 0; i--) if (rejectionName(this.items[i]!.item) === name) this.items.splice(i, 1);
  }

  list(): Rejection[] {
    return [...this.items];
  }
}
