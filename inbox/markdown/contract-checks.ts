// The checks an integration contract's spec states (issue 12, SPEC §5): the names its JS/TS
// signatures export (`exports`), the Python functions and classes it defines (`contains`), the
// files it names as deliverables (`exists`) — each on a file the spec itself names, inside the
// owner's territory — and one `judge` check that the owner's changes meet the spec. Only what the
// spec shows is checked; what it ships that no check kind covers (JSON Schemas with fixtures) is
// reported, not guessed.
import type { GateCheck } from "../../protocol/plan.ts";
import { territoryOf } from "../../protocol/territory.ts";
import { parseBlocks, type Block } from "./blocks.ts";
import type { Src } from "./draft.ts";
import { parseLabel, plain } from "./inline.ts";
import { asPath, pathsInText } from "./paths.ts";

export interface ContractNote {
  src: Src;
  message: string;
}

const MAX_NAMES = 20;
const MAX_DETERMINISTIC = 12;
const JS = /^(?:ts|tsx|typescript|js|jsx|javascript|mjs|cjs)$/i;
const PY = /^(?:py|python|python3)$/i;
const JS_FILE = /\.(?:ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;
const PY_FILE = /\.py$/;
const FILE_LABEL = /^(?:files?|location|module|path|implementation|source|deliverables?|outputs?|files? (?:created|to create|owned)|creates?)$/i;
const EXPORT = /^\s*export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|interface|type|const|let|var|enum)\s+([A-Za-z_$][\w$]*)/gm;
const PY_DEF = /^(?:async\s+)?def\s+([A-Za-z]\w*)\s*\(|^class\s+([A-Za-z]\w*)\b/gm;

/** The deterministic checks a contract's spec states, and what was left out or not checkable. */
export function contractChecks(spec: string, text: string, ownerTerritory: readonly string[] | null): { checks: GateCheck[]; notes: ContractNote[] } {
  const notes: ContractNote[] = [];
  if (!/\.(?:md|markdown)$/i.test(spec)) return { checks: [], notes };
  const blocks = parseBlocks(text);
  const named = namedFiles(blocks, spec);
  const inside = (file: string): boolean => ownerTerritory === null || territoryOf(ownerTerritory).covers(file);
  const checks: GateCheck[] = [];
  const seen = new Set<string>();
  const push = (c: GateCheck, src: Src): void => {
    const key = JSON.stringify(c);
    if (seen.has(key) || checks.length >= MAX_DETERMINISTIC) return;
    const file = "exists" in c ? c.exists : "exports" in c ? c.exports.file : "contains" in c ? c.contains.file : "";
    if (!inside(file)) return void notes.push({ src, message: `\`${file}\` is named by the contract but is outside its owner's territory; not checked` });
    seen.add(key);
    checks.push(c);
  };
  for (const f of named) if (!/[*?[\]{}]/.test(f.path)) push({ exists: f.path }, f.src);
  blocks.forEach((b, k) => {
    if (b.kind !== "code") return;
    const src = { file: spec, line: b.line };
    if (JS.test(b.lang)) {
      const names = [...b.body.join("\n").matchAll(EXPORT)].map((m) => m[1]!);
      if (names.length === 0) return;
      const file = fileFor(b, blocks, k, named, JS_FILE);
      if (!file) return void notes.push({ src, message: `exports ${names.slice(0, 5).join(", ")} shown, but the spec names no .ts/.js file for them; not checked` });
      push({ exports: { file, names: [...new Set(names)].slice(0, MAX_NAMES) } }, src);
    } else if (PY.test(b.lang)) {
      const defs = [...b.body.join("\n").matchAll(PY_DEF)].map((m) => (m[1] ? `def ${m[1]}` : `class ${m[2]}`));
      if (defs.length === 0) return;
      const file = fileFor(b, blocks, k, named, PY_FILE);
      if (!file) return void notes.push({ src, message: `Python signatures (${defs.slice(0, 3).join(", ")}) shown, but the spec names no .py file for them; not checked` });
      for (const d of [...new Set(defs)].slice(0, MAX_NAMES)) push({ contains: { file, pattern: `^\\s*(?:async\\s+)?${d.replace(" ", "\\s+")}\\b` } }, src);
    } else if (/^json$/i.test(b.lang) && /"\$schema"\s*:/.test(b.body.join("\n"))) {
      notes.push({ src, message: "a JSON Schema is shown; purple has no check that validates fixtures against a schema, so it is left to the judge check" });
    }
  });
  return { checks, notes };
}

/** The judge check of a contract: the owner's changes meet its spec. */
export function judgeOf(id: string, spec: string | undefined, title: string | undefined, owner: string | undefined): GateCheck {
  const what = `contract "${id}"${title ? ` (${title})` : ""}${spec ? `, specified in ${spec}` : ""}`;
  return { judge: `${owner ? `The changes of agent "${owner}"` : "The changes"} meet ${what}: every interface, behaviour and file the specification states is implemented as stated.` };
}

// Files the spec names under a file label ("**File:** `src/api.js`", "Location: …", deliverables).
function namedFiles(blocks: readonly Block[], spec: string): { path: string; src: Src }[] {
  const out: { path: string; src: Src }[] = [];
  let list: string | null = null;
  for (const b of blocks) {
    if (b.kind === "heading") {
      list = FILE_LABEL.test(plain(b.text)) ? plain(b.text) : null;
      continue;
    }
    if (b.kind !== "para" && b.kind !== "item") continue;
    const lab = parseLabel(b.text);
    const labelled = lab && FILE_LABEL.test(lab.label);
    if (lab && !labelled) list = null;
    if (labelled && lab.rest === "") list = lab.label;
    const text = labelled ? lab.rest : b.kind === "item" && list ? b.text : "";
    for (const hit of pathsInText(text)) if (!hit.bare && !hit.leadingSlash && !hit.path.endsWith("/")) out.push({ path: hit.path, src: { file: spec, line: b.line } });
  }
  return out;
}

// The file a code block's signatures live in: a path in its first comment line, else the one file
// of that language the spec names, else a path of that language just before the block.
function fileFor(b: Extract<Block, { kind: "code" }>, blocks: readonly Block[], k: number, named: readonly { path: string }[], ext: RegExp): string | null {
  const first = /^\s*(?:\/\/|#|\/\*)\s*(?:file:\s*)?(\S+)/i.exec(b.body[0] ?? "")?.[1];
  const fromComment = first ? asPath(first, true) : null;
  if (fromComment && !fromComment.bare && ext.test(fromComment.path)) return fromComment.path;
  const ofLanguage = [...new Set(named.map((n) => n.path).filter((p) => ext.test(p)))];
  if (ofLanguage.length === 1) return ofLanguage[0]!;
  for (let j = k - 1; j >= Math.max(0, k - 4); j--) {
    const p = blocks[j]!;
    if (p.kind === "code") break;
    const text = p.kind === "heading" || p.kind === "para" || p.kind === "item" ? p.text : "";
    const hit = pathsInText(text).find((h) => !h.bare && ext.test(h.path));
    if (hit) return hit.path;
  }
  return null;
}
