// Markdown text → a flat list of line-level blocks (headings, list items, table rows, fenced code,
// paragraphs, rules), each with its 1-based line. Line-based on purpose: plans written by people
// and models are loose markdown, and a forgiving tokenizer reads more of them than a strict parser.

export type Block =
  | { kind: "heading"; line: number; level: number; text: string }
  | { kind: "code"; line: number; indent: number; lang: string; body: string[] }
  | { kind: "item"; line: number; indent: number; ordered: boolean; checkbox: boolean; text: string }
  | { kind: "row"; line: number; cells: string[]; header: string[] }
  | { kind: "para"; line: number; indent: number; text: string; afterBlank: boolean }
  | { kind: "rule"; line: number };

/** Lines a document may have before the rest is ignored (keeps hostile input bounded). */
export const MAX_LINES = 200_000;
const MAX_LINE_LENGTH = 20_000;

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$/;
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const ITEM = /^(\s*)([-*+•]|\d{1,3}[.)])[ \t]+(.*)$/;
const CHECKBOX = /^\[([ xX✓✔])\][ \t]*/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const INDENTED = /^(?: {4}|\t)\s*\S/;
const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

/** The blocks of one markdown document; never throws. */
export function parseBlocks(text: string): Block[] {
  const lines = splitLines(text);
  const blocks: Block[] = [];
  let blank = true;
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i]!;
    const line = i + 1;
    if (raw.trim() === "") {
      blank = true;
      i++;
      continue;
    }
    const fence = FENCE.exec(raw);
    if (fence) {
      const indent = fence[1]!.length;
      const marker = fence[2]!;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const l = lines[j]!;
        const t = l.trim();
        if (t.startsWith(marker[0]!.repeat(marker.length)) && /^[`~]+$/.test(t)) break;
        body.push(indent > 0 && l.startsWith(" ".repeat(indent)) ? l.slice(indent) : l);
      }
      blocks.push({ kind: "code", line, indent, lang: fence[3]!.toLowerCase(), body });
      i = j + 1;
      blank = false;
      continue;
    }
    // An indented code block: lines indented four or more after a blank line that follows a
    // paragraph or heading, not a list (where indentation continues an item).
    const prev = blocks[blocks.length - 1];
    if (blank && INDENTED.test(raw) && !ITEM.test(raw) && (prev === undefined || prev.kind === "heading" || (prev.kind === "para" && prev.indent === 0))) {
      const body: string[] = [];
      let j = i;
      while (j < lines.length && (INDENTED.test(lines[j]!) || (lines[j]!.trim() === "" && INDENTED.test(lines[j + 1] ?? "")))) body.push(lines[j++]!.replace(/^(?: {4}|\t)/, ""));
      blocks.push({ kind: "code", line: line - 1, indent: 4, lang: "", body });
      i = j;
      blank = false;
      continue;
    }
    const heading = HEADING.exec(raw);
    if (heading) {
      blocks.push({ kind: "heading", line, level: heading[1]!.length, text: (heading[2] ?? "").trim() });
      i++;
      blank = false;
      continue;
    }
    if (RULE.test(raw)) {
      blocks.push({ kind: "rule", line });
      i++;
      blank = true;
      continue;
    }
    if (raw.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]!) && lines[i + 1]!.includes("-")) {
      const header = splitRow(raw);
      let j = i + 2;
      for (; j < lines.length && lines[j]!.includes("|") && lines[j]!.trim() !== ""; j++)
        blocks.push({ kind: "row", line: j + 1, cells: splitRow(lines[j]!), header });
      i = j;
      blank = false;
      continue;
    }
    const item = ITEM.exec(raw);
    if (item) {
      let body = item[3]!;
      const box = CHECKBOX.exec(body);
      if (box) body = body.slice(box[0].length);
      const indent = visualIndent(item[1]!);
      // Lazy continuation lines (indented deeper, not a new block) belong to the item.
      let j = i + 1;
      while (j < lines.length && isContinuation(lines[j]!, indent)) {
        if (body.length < MAX_LINE_LENGTH) body += " " + lines[j]!.trim();
        j++;
      }
      blocks.push({ kind: "item", line, indent, ordered: /\d/.test(item[2]!), checkbox: box !== null, text: body.trim() });
      i = j;
      blank = false;
      continue;
    }
    blocks.push({ kind: "para", line, indent: visualIndent(/^\s*/.exec(raw)![0]), text: raw.trim(), afterBlank: blank });
    blank = false;
    i++;
  }
  return blocks;
}

// A line that continues the list item above: indented past the marker and not itself a block start.
function isContinuation(l: string, indent: number): boolean {
  if (l.trim() === "") return false;
  if (visualIndent(/^\s*/.exec(l)![0]) <= indent) return false;
  return !ITEM.test(l) && !FENCE.test(l) && !HEADING.test(l) && !l.trimStart().startsWith("|");
}

/** Cells of a table row: split on unescaped pipes outside backticks, outer pipes dropped. */
export function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cur = "";
  let tick = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (c === "\\" && line[k + 1] === "|") {
      cur += "|";
      k++;
    } else if (c === "`") {
      tick = !tick;
      cur += c;
    } else if (c === "|" && !tick) {
      cells.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  cells.push(cur.trim());
  if (cells.length && cells[0] === "" && line.trimStart().startsWith("|")) cells.shift();
  if (cells.length && cells[cells.length - 1] === "" && line.trimEnd().endsWith("|")) cells.pop();
  return cells;
}

function visualIndent(ws: string): number {
  let n = 0;
  for (const c of ws) n += c === "\t" ? 4 : 1;
  return n;
}

// Normalised lines: BOM and control characters gone, over-long lines cut, at most MAX_LINES.
function splitLines(text: string): string[] {
  const clean = text.replace(/^\uFEFF/, "").replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, " ");
  const lines = clean.split(/\r\n|\r|\n/, MAX_LINES);
  for (let k = 0; k < lines.length; k++) if (lines[k]!.length > MAX_LINE_LENGTH) lines[k] = lines[k]!.slice(0, MAX_LINE_LENGTH);
  return lines;
}
