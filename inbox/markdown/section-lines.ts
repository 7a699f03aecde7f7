// Lines whose meaning depends on their neighbours: an issue-like section handed to an agent by an
// "Assignee:" line a few lines down, a checkpoint item heading the checks nested under it, a
// "Wave 2:" line under a Gates heading, and a sentence wrapped over two lines of an ownership label.
import type { Block } from "./blocks.ts";
import { parseLabel, plain, type LabelLine } from "./inline.ts";
import type { AgentRef, LabelKind } from "./vocab.ts";

/** "### #41 Usage ingestion" whose first lines say "**Assignee:** @agent-ingest": the agent whose section it is (name from the heading, id from the handle), or null. */
export function assignedHeading(blocks: readonly Block[], i: number, text: string): AgentRef | null {
  for (let k = i + 1; k < blocks.length && k <= i + 8; k++) {
    const b = blocks[k]!;
    if (b.kind === "heading") return null;
    if (b.kind !== "para" && b.kind !== "item") continue;
    const lab = parseLabel(b.text);
    if (!lab || !/^(?:assignee|assigned to|agent|owner|owned by)$/i.test(lab.label)) continue;
    const handle = /^`?@?([a-z0-9][a-z0-9_-]{1,60})`?\s*$/i.exec(plain(lab.rest));
    if (!handle) return null;
    const name = plain(text).replace(/^#?\d{1,6}[.:)]?\s+/, "").trim();
    return { id: handle[1]!.toLowerCase(), ...(name ? { name } : {}) };
  }
  return null;
}

const CHECKPOINT_ITEM = /^(?:\d{1,3}[.)]?\s*)?(?:(?:wave|phase|stage|milestone|round)\s*#?\d{1,3}\s+|final\s+)?(?:checkpoint|gate|quality gate|verification)\s*$/i;

/** The label a line opens: "Label: rest", or a task-list item that is a checkpoint ("- [ ] 3. Wave 1 checkpoint"), heading the checks nested under it. */
export function lineLabel(b: Extract<Block, { kind: "para" | "item" }>): LabelLine | null {
  const lab = parseLabel(b.text);
  if (lab || b.kind !== "item" || !CHECKPOINT_ITEM.test(plain(b.text))) return lab;
  return { label: plain(b.text).replace(/^\d{1,3}[.)]?\s*/, ""), rest: "", bold: true, colon: true };
}

/** "Wave 2:" (or "After phase 2:") alone on a line: the number of the wave whose checks follow, or null. */
export function gateWaveLine(text: string): number | null {
  const m = /^(?:after\s+)?(?:wave|phase|stage|round|milestone|sprint)\s*#?\s*(\d{1,3})\b[^:]{0,40}:\s*$/i.exec(plain(text));
  return m ? Number(m[1]) : null;
}

/**
 * A sentence wrapped over two lines ("… `b.erb` is a good\nexample — reference only."): an
 * ownership line that ends mid-sentence is read with the rest of its sentence from the next line
 * (so what the sentence says about its paths counts), and the next line from there on.
 */
export class WrappedSentences {
  private readonly carried = new Map<number, number>();
  constructor(private readonly blocks: readonly Block[]) {}

  /** The text of block i to read: without what the line before already read, with the end of its sentence when it runs on. */
  read(i: number, text: string, label: LabelKind | null): string {
    const own = text.slice(this.carried.get(i) ?? 0);
    const next = this.blocks[i + 1];
    if ((label !== "territory" && label !== "deliverables") || next?.kind !== "para" || next.afterBlank || next.line !== this.blocks[i]!.line + 1 || /[.:!?]\s*$/.test(own) || parseLabel(next.text) !== null) return own;
    const first = /^.*?[.!?](?=\s+[A-Z]|\s*$)/.exec(next.text)?.[0] ?? next.text;
    this.carried.set(i + 1, first.length);
    return `${own} ${first}`;
  }
}
