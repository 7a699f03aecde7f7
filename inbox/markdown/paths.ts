// What in a plan's text is a file path: `a/b.ts`, `src/`, `*.md`, `public/404.html`, `.env` — and
// what only looks like one (API routes, URLs, versions, module names, `and/or`). Paths are read from
// code spans anywhere in a labelled line, but from bare words only where a path starts a segment.
import { codeSpans, stripMarks, withoutCodeSpans } from "./inline.ts";

const KNOWN_EXT = new Set(
  (
    "ts tsx mts cts js jsx mjs cjs json jsonc json5 md mdx markdown rst txt adoc py pyi pyx ipynb rb go rs java kt kts scala swift " +
    "m mm c h cc cpp cxx hpp hh cs fs vb php pl lua r jl dart ex exs erl hs ml elm clj cljs groovy " +
    "html htm xhtml css scss sass less styl vue svelte astro hbs ejs pug njk liquid jinja j2 " +
    "yml yaml toml ini cfg conf env properties plist xml xsd svg png jpg jpeg gif webp avif ico bmp tiff pdf " +
    "csv tsv parquet sql db sqlite graphql gql proto thrift avsc lock log gitkeep gitignore dockerignore npmrc nvmrc " +
    "sh bash zsh fish ps1 bat cmd tf tfvars hcl nix bzl bazel gradle sbt cabal cmake mk make " +
    "vtt srt mp3 wav mp4 webm ogg ttf otf woff woff2 eot map snap patch diff wasm zip gz tgz tar template example sample tpl"
  ).split(/\s+/),
);
const EXTENSIONLESS = new Set(["Dockerfile", "Makefile", "Procfile", "Gemfile", "Rakefile", "Jenkinsfile", "Vagrantfile", "LICENSE", "CODEOWNERS", "CNAME", "Brewfile", "Justfile"]);

export interface PathHit {
  path: string;
  /** written with a leading `/` (repository-absolute style) */
  leadingSlash: boolean;
  /** no directory part: `processor.py` */
  bare: boolean;
  /** a bare name read as a folder because its column says so ("Owned Crates": `clawft-core`) */
  folderName?: boolean;
}

/** A token read as a path (backticks, quotes, `./`, a leading `/` and trailing punctuation removed), or null. */
export function asPath(token: string, strict: boolean): PathHit | null {
  let t = token.trim().replace(/^[`'"(\[]+|[`'")\],;:.!?]+$/g, "");
  if (t.endsWith("/.")) t = t.slice(0, -1);
  while (t.startsWith("./")) t = t.slice(2);
  let leadingSlash = false;
  if (t.startsWith("/") && !t.startsWith("//")) {
    leadingSlash = true;
    t = t.replace(/^\/+/, "");
  }
  if (t.length === 0 || t.length > 400 || /\s/.test(t)) return null;
  if (/:\/\/|^www\.|^[a-z]+:|^[@$#~<>=!%^&|+\\]/.test(t)) return null;
  if (/[()<>="'`$%^|\\:;?]/.test(t) || /,/.test(t.replace(/\{[^}]*\}/g, ""))) return null;
  if (/\{(?![^}]*,)[^}]*\}/.test(t)) return null; // `{doc_id}` placeholders, but `{a,b}` globs pass
  if (/^[\d.vx*-]+$/i.test(t)) return null; // versions, numbers
  if (/(^|\/)\.\.?(\/|$)/.test(t) && !/^\.\.?\//.test(t)) return null;
  const segments = t.split("/").filter((s) => s !== "");
  if (segments.length === 0) return null;
  if (segments.some((s) => !/^[\w.*@\[\]{},+-]+$/.test(s) || /\+$/.test(s))) return null; // `Cmd+/`: a key, not a path
  const last = segments[segments.length - 1]!;
  const dir = t.endsWith("/");
  const glob = /[*?[\]{}]/.test(t);
  const bare = segments.length === 1 && !dir;
  if (bare) {
    if (!isFileName(last)) return null;
    return { path: t, leadingSlash, bare: true };
  }
  if (strict && !dir && !glob && !isFileName(last)) return null;
  if (!strict && !dir && !glob && !isFileName(last) && leadingSlash) return null; // `/api/documents`: a route
  if (segments.every((s) => /^[A-Z0-9]+$/.test(s))) return null; // UI/UX, PDF/DOCX
  return { path: t, leadingSlash, bare: false };
}

/** `index.html`, `.env`, `Dockerfile`, `tsconfig.node.json`: a name that reads as a file. */
export function isFileName(name: string): boolean {
  if (EXTENSIONLESS.has(name)) return true;
  // `Dockerfile.worker`, `Makefile.local`: a well-known extensionless name with a variant suffix.
  const dot = name.indexOf(".");
  if (dot > 0 && EXTENSIONLESS.has(name.slice(0, dot)) && /^\.[\w-]{1,20}$/.test(name.slice(dot))) return true;
  if (/^\.[\w.]+$/.test(name) || /^\.[\w.-]+\.[A-Za-z]{1,8}$/.test(name)) return true; // dotfiles (not `.css-class`)
  const m = /^([\w@+-][\w.@+-]*)\.([A-Za-z0-9]{1,10})$/.exec(name);
  if (!m) return /^\*\.[A-Za-z0-9]{1,10}$/.test(name);
  return KNOWN_EXT.has(m[2]!.toLowerCase());
}

const READ_ONLY = /read[- ]?only|readonly|review only|no (?:direct )?(?:edits|changes|writes)|do not (?:hand[- ]?)?(?:modify|edit|touch|change)|\(generated\b|without modifying|not modif|reference only|\bREAD\b(?!\s*\/)|\b(?:is|as) an? (?:good )?(?:example|template|model)\b|\bfor reference\b|does not (?:change|modify|edit|touch)|must not (?:change|modify|edit|touch)/i;

/** True when a piece of text marks its paths as read, not written. */
export function saysReadOnly(text: string): boolean {
  return READ_ONLY.test(text);
}

/**
 * The paths of one labelled line or cell: every code span that is a path, and a bare word that
 * starts a comma/semicolon/`<br>`/"or"/"and" segment. Segments marked read-only are skipped.
 */
export function pathsInText(text: string, opts: { dirNames?: boolean } = {}): PathHit[] {
  const hits: PathHit[] = [];
  for (const segment of segmentsOf(text)) {
    if (saysReadOnly(segment)) continue;
    const spans = codeSpans(segment);
    // `root/, package.json, tsconfig.json`: one code span holding a list is read item by item.
    for (const s of spans.flatMap((x) => x.replace(/\{[^}]*\}/g, (b) => b.replace(/,/g, "\u0002")).split(/,\s*/).map((y) => y.replace(/\u0002/g, ",")))) {
      const hit = asPath(s, false);
      // Under "Owned Crates" / "Packages" / "Directories", a bare name is a folder.
      const dir = !hit && opts.dirNames && /^[A-Za-z][\w.-]{1,80}$/.test(s) ? { path: `${s}/`, leadingSlash: false, bare: false, folderName: true } : null;
      const found = hit ?? dir;
      if (found && !readFrom(segment, s) && !namesBranch(segment, s)) hits.push(found);
    }
    const rest = stripMarks(withoutEmphasis(withoutCodeSpans(segment))).replace(/^\d+[.)]\s+/, "");
    if (spans.length && !/^\S+\/\S*/.test(rest)) continue;
    const words = rest.split(/\s+/);
    const first = words[0] ?? "";
    const hit = asPath(first, true);
    // "Chart.js colours follow the theme": a bare name opening a sentence is its subject, not a path.
    if (hit && !(hit.bare && /^[A-Z]/.test(first) && words.length > 3)) hits.push(hit);
  }
  return dedupeHits(hits);
}

const VERBS = "define|defines|own|owns|create|creates|created|add|adds|write|writes|modify|modifies|update|updates|edit|edits|extend|extends|implement|implements|author|authors|scaffold|scaffolds|generate|generates|build|builds|refactor|refactors|rewrite|rewrites|fix|fixes|regenerate|regenerates";
// "Create the fixture tree (4 folders under `tests/x/`)": a verb, a few words, then where.
const WRITE_VERB = new RegExp(`\\b(?:${VERBS})\\s+(?:the\\s+|a\\s+|an\\s+|new\\s+|file\\s+|directory\\s+)*$|^\\W*(?:\\d{1,3}(?:\\.\\d{1,3})*[.)]?\\s+)?(?:${VERBS})\\s+(?:[\\w-]+\\s+){1,2}$|^\\W*(?:\\d{1,3}(?:\\.\\d{1,3})*[.)]?\\s+)?(?:${VERBS})\\b[\\w\\s/(,-]{0,40}?\\s(?:in|into|to|at|within|inside|under)\\s+(?:the\\s+)?$`, "i");
// "results to `x.md`", "document in `x.md`": where a task's output goes (read in task tables only).
const OUTPUT_TO = /\b(?:results?|outcomes?|findings|output|document|documented|record|recorded|log|logged|saved?|written|writes?)\s+(?:them\s+|it\s+|the\s+\w+\s+)?(?:in|into|to|at|under)\s+$/i;
// "Do NOT modify `x`", "never edit `y`": a verb of writing, denied.
const DENIED = /\b(?:not|never|don'?t|no|without)\b[^.;:]*$/i;
// "`src/page.tsx`: Fix the types": a path that heads an item whose text says to change it.
const PATH_THEN_VERB = new RegExp(`^\\W*\`([^\`]+)\`\\s*[:\\-–—]\\s*(?:${VERBS})\\b`, "i");

/**
 * Paths a sentence gives to be written: a code span right after a verb of writing ("Create
 * `lib/api.ts`", "Update `app/layout.tsx`"), or in a list that follows one ("Create `a.ts`, `b.ts`").
 */
export function pathsWritten(text: string, opts: { outputs?: boolean } = {}): PathHit[] {
  const out: PathHit[] = [];
  const head = PATH_THEN_VERB.exec(text);
  const headHit = head ? asPath(head[1]!, false) : null;
  if (headHit) out.push(headHit);
  const re = /`([^`]+)`/g;
  let m: RegExpExecArray | null;
  let listing = false;
  let last = 0;
  while ((m = re.exec(text))) {
    const before = text.slice(last, m.index);
    // "adds the `ratelimit:` section to `config.yaml`": a code span between the verb and "to" is a word.
    const upTo = text.slice(0, m.index).replace(/`[^`]*`/g, "x");
    listing = ((WRITE_VERB.test(upTo) || (opts.outputs === true && OUTPUT_TO.test(upTo))) && !DENIED.test(upTo)) || (listing && /^\s*(?:,|and|&|\+|or)\s*$/.test(before));
    last = m.index + m[0].length;
    if (!listing) continue;
    const hit = asPath(m[1]!, false);
    if (hit) out.push(hit);
  }
  return dedupeHits(out);
}

/** "next.config.js updates", "`api/routes.ts` changes": a heading naming the file a section changes, or null. */
export function fileAHeadingChanges(heading: string): PathHit | null {
  const m = /^(\S+)\s+(?:updates?|changes|modifications?|edits?|additions?)\b/i.exec(heading.trim());
  return m ? asPath(m[1]!, true) : null;
}

// Bold/italic markers around words, but not the `**` of a glob (`src/**`).
function withoutEmphasis(text: string): string {
  return text.replace(/(^|[\s(])(\*\*|__|\*|_)(?=\S)/g, "$1").replace(/(?<=[^\s/*])(\*\*|__|\*|_)(?=$|[\s),.:;])/g, "");
}

// `copy from `x``, `see `x``, `convert `x` to …`: a path the line reads rather than writes.
function readFrom(segment: string, span: string): boolean {
  const at = segment.indexOf("`" + span);
  const before = at >= 0 ? segment.slice(0, at) : "";
  return /\b(?:from|see|convert|converts|copy of|read|reads|reference|references|consume|consumes|import|imports|use|uses|using|based on|extends|like|per)\s*$/i.test(before);
}

// "committed to `fix/x` branch", "**Branch**: `feat/y`", "worktree `../z`": a git name, not a path.
function namesBranch(segment: string, span: string): boolean {
  const at = segment.indexOf("`" + span);
  if (at < 0) return false;
  const before = segment.slice(0, at);
  const after = segment.slice(at + span.length + 2);
  return /^\s*(?:\(?[a-z ]*\)?\s*)?(?:branch|worktree|tag|remote)\b/i.test(after) || /\b(?:branch|worktree|checkout|merge|rebase|cherry-pick)(?:\*\*)?\s*:?\s*(?:\*\*)?\s*$/i.test(before);
}

// Split on separators outside code spans: `,`, `;`, `<br>`, " or ", " and ", " + ".
function segmentsOf(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let tick = false;
  const s = text.replace(/<br\s*\/?>/gi, "\u0001");
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === "`") tick = !tick;
    if (!tick && (c === "," || c === ";" || c === "\u0001")) {
      out.push(cur);
      cur = "";
      continue;
    }
    // "Owns `a.rb`. Milo may read `b.rb`": each sentence says its own thing about its paths.
    if (!tick && c === "." && /^\.\s+[A-Z]/.test(s.slice(k, k + 4))) {
      out.push(cur);
      cur = "";
      continue;
    }
    if (!tick && /^ (?:or|and|\+|&) /.test(s.slice(k, k + 5))) {
      out.push(cur);
      cur = "";
      k += s.slice(k).match(/^ (?:or|and|\+|&) /)![0].length - 1;
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== "");
}

function dedupeHits(hits: PathHit[]): PathHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => (seen.has(h.path) ? false : (seen.add(h.path), true)));
}

/** One line of a file listing or tree in a code block: its full path, depth and trailing note. */
export interface TreeEntry {
  path: string;
  leadingSlash: boolean;
  /** 0 for a line written flush left (a root of the listing) */
  depth: number;
  /** 0-based line within the block */
  offset: number;
  /** text after the name: `← Agent 1 (CREATE)`, `(new)`, `✍️ Write` */
  note: string;
}

const TREE_PREFIX = /^(?:[\s│├└─┬┼|`+\\*•·-]|\[[ xX]\]|[✓✔☑✅➕➜→])*/u;
const EXCLUDED = /^[\s│├└─┬┼|`+\\*•·-]*(?:[✗✘❌⛔🚫]|\[-\])/u;

/** The entries of a code block that lists files, plain or as a tree (`├── a.ts`), with full paths. */
export function treeEntries(body: readonly string[]): TreeEntry[] {
  const out: (TreeEntry & { col: number })[] = [];
  const stack: { col: number; path: string }[] = [];
  body.forEach((line, offset) => {
    if (line.trim() === "" || /^\s*#/.test(line) || EXCLUDED.test(line)) return;
    const prefix = TREE_PREFIX.exec(line)![0];
    const col = prefix.length;
    const rest = line.slice(col);
    const token = rest.split(/\s+/)[0] ?? "";
    const hit = asPath(token, false);
    if (!hit) return;
    while (stack.length && stack[stack.length - 1]!.col >= col) stack.pop();
    const parent = stack[stack.length - 1];
    const full = parent && parent.path.endsWith("/") && col > 0 ? parent.path + hit.path : hit.path;
    out.push({ path: full, leadingSlash: hit.leadingSlash, depth: stack.length, offset, note: rest.slice(token.length).trim(), col });
    if (full.endsWith("/")) stack.push({ col, path: full });
  });
  const minCol = Math.min(...out.map((e) => e.col));
  return out.map(({ col, ...e }) => ({ ...e, depth: col === minCol ? 0 : Math.max(1, e.depth) }));
}
