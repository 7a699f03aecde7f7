// A plan split over files: "- [tokenizer](agents/tokenizer.md)" in a wave of the main file names
// an agent whose brief is the linked markdown file. The link's text is the agent's id; the file is
// read as that agent's own section (its "Owns:" list is its territory).
import { posix } from "node:path";
import { slugify } from "./inline.ts";

export interface BriefLink {
  id: string;
  /** the link target as written */
  target: string;
}

/** Links to markdown files whose text is an id-like name ("tokenizer", "search-ui", "Search UI"). */
export function briefLinks(text: string): BriefLink[] {
  const out: BriefLink[] = [];
  for (const m of text.matchAll(/\[([^\]\n]{2,60})\]\(\s*<?([^)\s>]+\.(?:md|markdown))>?\s*\)/gi)) {
    const name = m[1]!.replace(/[`*_]/g, "").trim();
    // "[tasks.md](tasks.md)": a link named by its file is a reference, not an agent.
    if (!/^[A-Za-z][\w -]*$/.test(name) || name.split(/\s+/).length > 4 || /^https?:/i.test(m[2]!)) continue;
    const id = slugify(name);
    if (id.length >= 2) out.push({ id, target: m[2]! });
  }
  return out;
}

/** The folder file a link in `from` points to, or null when the folder has no such file. */
export function linkedFile(files: Record<string, string>, from: string, target: string): string | null {
  const path = posix.normalize(posix.join(posix.dirname(from), target.replace(/#.*$/, ""))).replace(/^\.\//, "");
  return path in files && !path.startsWith("../") ? path : null;
}
