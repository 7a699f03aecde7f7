// The intake items a compile reports (inferred, ambiguous, not understood), collected once each.
import type { IntakeItem } from "../purple/types.ts";
import type { Src } from "./draft.ts";

/** Items in the order they were found, duplicates dropped. */
export class Items {
  readonly list: IntakeItem[] = [];
  private readonly seen = new Set<string>();

  /** Record one item (a repeat of the same item at the same place is dropped). */
  add(kind: IntakeItem["kind"], src: Src, message: string): void {
    const key = `${kind}\0${src.file}\0${src.line}\0${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ kind, file: src.file, line: Math.max(1, Math.floor(src.line) || 1), message });
  }
}
