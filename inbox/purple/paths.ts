// The repository paths a ticket's text names: its "Files" list when it has one, else the backticked
// paths anywhere in it. They become territory entries (files as they are, directories as `dir/`).
import { territoryEntryProblem } from "../../protocol/territory.ts";
import { territoryLimitProblem } from "../territory-entry.ts";

const EXTENSIONS = new Set(
  ("ts tsx mts cts js jsx mjs cjs json jsonc json5 css scss sass less html htm md mdx txt sql py pyi rb go mod sum rs java kt kts swift " +
    "c h cc cpp hpp cs php vue svelte astro yaml yml toml ini env sh bash zsh fish ps1 xml svg png jpg jpeg gif webp ico avif lock prisma " +
    "graphql gql proto tf hcl dart ex exs erl lua r scala gradle properties conf cfg csv tsv snap ejs hbs njk liquid pug wasm bin ipynb").split(" "),
);
const BARE_FILE_NAMES = new Set(["Dockerfile", "Makefile", "Procfile", "Gemfile", "Rakefile", "LICENSE", "Justfile", "Containerfile"]);
const MIME_TOPS = new Set(["audio", "video", "image", "text", "application", "multipart", "font", "model", "message"]);
/** Label words that open a ticket's list of files (or continue it: `**Create:**`, `**Modify:**`). */
const FILES_LABEL = /\bfiles?\b/i;
const FILES_CONTINUATION = /^(create|creates|modify|modifies|update|updates|edit|new|delete|remove|add|touch)\b/i;

/** A markdown label line: `**Label:** rest`, `- **Label**`, `Label:` alone, or a heading. */
export function labelOf(line: string): { label: string; rest: string } | null {
  const bold = /^\s*(?:[-*+]\s+|\d+[.)]\s+)?\*\*([^*]{1,80}?)\*\*\s*:?\s*(.*)$/.exec(line);
  if (bold) return { label: bold[1]!.replace(/:\s*$/, "").trim(), rest: bold[2]! };
  const heading = /^\s*#{1,6}\s+(.*?)\s*:?\s*$/.exec(line);
  if (heading) return { label: heading[1]!, rest: "" };
  const plain = /^\s*([A-Z][A-Za-z /&-]{1,40}):\s*$/.exec(line);
  if (plain) return { label: plain[1]!, rest: "" };
  return null;
}

/** The lines of a ticket's "Files" section(s), or null when the ticket has none. */
export function filesSection(lines: readonly string[]): string[] | null {
  const out: string[] = [];
  let inside = false, found = false, fenced = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const label = labelOf(line);
    if (label && !(inside && /[`/]/.test(label.label))) {
      const opens: boolean = FILES_LABEL.test(label.label) && label.label.length <= 60;
      const continues: boolean = inside && FILES_CONTINUATION.test(label.label);
      inside = opens || continues;
      found ||= opens;
      if (inside) out.push(label.rest);
      continue;
    }
    if (inside) out.push(line);
  }
  return found ? out : null;
}

/** Every path a ticket names, in order of first mention, as territory entries. */
export function pathsOfTicket(body: readonly string[]): string[] {
  const section = filesSection(body);
  const found: string[] = [];
  if (section) for (const line of section) found.push(...candidates(line, true));
  if (!section) {
    let fenced = false;
    for (const line of body) {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (!fenced) found.push(...candidates(line, false));
    }
  }
  const out: string[] = [];
  for (const raw of found) {
    const entry = normalizePath(raw);
    if (entry !== null && !out.includes(entry)) out.push(entry);
  }
  return out;
}

// Path-looking tokens of one line: backticked spans always; bare words in a files list, or
// elsewhere only when they have both a folder and a known extension.
function candidates(line: string, inFilesList: boolean): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/`([^`\n]{1,300})`/g)) out.push(m[1]!);
  const bare = line.replace(/`[^`\n]*`/g, " ").replace(/\]\([^)]*\)/g, "] ");
  for (const word of bare.split(/[\s,;|]+/)) {
    const w = word.replace(/^[("'[*<]+|[)"'\]*>.:!?]+$/g, "");
    if (!w) continue;
    if (inFilesList ? isFileOrPathLike(w) : w.includes("/") && hasKnownExtension(w)) out.push(w);
  }
  return out;
}

function hasKnownExtension(p: string): boolean {
  const last = p.split("/").filter(Boolean).pop() ?? "";
  const dot = last.lastIndexOf(".");
  return dot > 0 && EXTENSIONS.has(last.slice(dot + 1).toLowerCase());
}

function isFileOrPathLike(w: string): boolean {
  const last = w.split("/").filter(Boolean).pop() ?? "";
  return w.includes("/") || hasKnownExtension(w) || BARE_FILE_NAMES.has(last) || /^\.[A-Za-z0-9][\w.-]*$/.test(last);
}

/** One mentioned path as a territory entry (`dir/` for directories), or null when it is not a repository path. */
export function normalizePath(raw: string): string | null {
  let p = raw.trim().replace(/^[("'<]+|[)"'>,.:;!?]+$/g, "");
  const comment = /\s+(?:--|—|–|#|\()/.exec(p); // "`src/a.ts` -- new file" inside one span
  if (comment) p = p.slice(0, comment.index);
  while (p.startsWith("./")) p = p.slice(2);
  if (p.length === 0 || p.length > 300 || /\s/.test(p)) return null;
  if (/^[/@~$-]|:\/\/|^[A-Za-z]:|\\/.test(p)) return null;
  if (!/^[A-Za-z0-9_.\-/*[\]]+$/.test(p)) return null;
  const segments = p.split("/");
  const isDir = p.endsWith("/");
  const parts = segments.filter((s, i) => s !== "" || i === 0);
  if (parts.some((s) => s === "" || s === "." || s === "..")) return null;
  const last = parts[parts.length - 1]!;
  const file = !isDir && (hasKnownExtension(p) || BARE_FILE_NAMES.has(last) || (last.startsWith(".") && last.length > 1));
  if (parts.length === 1 && !file && !isDir) return null; // a lone word is not a path
  if (parts.length > 1 && /^[^.].*\.[a-z]{2,}$/i.test(parts[0]!) && !hasKnownExtension(parts[0]!)) return null; // example.com/docs
  if (parts.length === 2 && !file && MIME_TOPS.has(parts[0]!.toLowerCase())) return null; // audio/webm
  if (!file && parts.some((s) => /^\d+(\.\d+)*$/.test(s)) && parts.length <= 2) return null; // 1.2/3, 24/7
  // `[id]`-style route folders would read as glob classes: widen them to `*`.
  const cleaned = parts.map((s) => (/[[\]]/.test(s) ? "*" : s));
  const entry = cleaned.join("/") + (file ? "" : "/");
  if (territoryEntryProblem(entry) !== null || territoryLimitProblem(entry) !== null) return null;
  return entry;
}

/** The directory holding a path, or null at the root (`src/a/b.ts` → `src/a`; `src/a/` → `src`). */
export function parentDir(entry: string): string | null {
  const parts = entry.replace(/\/$/, "").split("/");
  return parts.length > 1 ? parts.slice(0, -1).join("/") : null;
}

/** Entries with those another entry already covers removed (`src/` makes `src/a.ts` redundant). */
export function minimalTerritory(entries: readonly string[]): string[] {
  const unique = [...new Set(entries)];
  return unique.filter((e) => !unique.some((o) => o !== e && o.endsWith("/") && !/[*?[\]]/.test(o) && e.startsWith(o)));
}
