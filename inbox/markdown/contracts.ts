// Integration contracts from `integration-contracts/*`: one contract per specification file (an
// index README, review reports and sample payloads are not contracts). The id is the file's own
// "Contract ID", else an IC-001-style prefix of its name or heading, else the file's stem.
import { parseBlocks } from "./blocks.ts";
import type { Src } from "./draft.ts";
import { parseLabel, plain, slugify } from "./inline.ts";
import { refsIn } from "./collect.ts";
import type { AgentRef } from "./vocab.ts";

export interface DraftContract {
  id: string;
  title?: string;
  /** relative to the plan folder */
  spec: string;
  owner: AgentRef[];
  consumers: AgentRef[];
  /** "All agents" */
  consumersAll: boolean;
  src: Src;
  ownerSrc?: Src;
  consumersSrc?: Src;
}

const NOT_A_CONTRACT = /(?:^|[-_.])(?:readme|index|review|report|summary|sample|samples|example|examples|fixture|fixtures|changelog|notes|status|template)(?:[-_.]|$)/i;
const CONTRACT_EXT = /\.(?:md|markdown|ya?ml|json|ts|proto|graphql)$/i;

/** True when a file under integration-contracts/ is read as a contract. */
export function isContractFile(path: string): boolean {
  const base = path.split("/").pop() ?? "";
  return CONTRACT_EXT.test(base) && !NOT_A_CONTRACT.test(base.replace(CONTRACT_EXT, ""));
}

/** The contract a file describes. */
export function parseContract(path: string, text: string): DraftContract {
  const base = path.split("/").pop() ?? path;
  const stem = base.replace(/\.(?:md|markdown)$/i, "").replace(/\.(?:ya?ml|json|ts|proto|graphql)$/i, "");
  const c: DraftContract = { id: "", spec: path, owner: [], consumers: [], consumersAll: false, src: { file: path, line: 1 } };
  let explicitId: string | undefined;
  let section: "owner" | "consumers" | null = null;
  const blocks = /\.(?:md|markdown)$/i.test(base) ? parseBlocks(text) : [];
  for (const b of blocks) {
    if (b.kind === "heading") {
      if (!c.title && b.level <= 2) c.title = plain(b.text);
      section = /^consum|^used by|^dependents/i.test(plain(b.text)) ? "consumers" : /^(?:owner|provider)s?\b/i.test(plain(b.text)) ? "owner" : null;
      continue;
    }
    if (b.kind !== "para" && b.kind !== "item") continue;
    const lab = parseLabel(b.text);
    const key = lab ? plain(lab.label).toLowerCase() : "";
    const src = { file: path, line: b.line };
    if (lab && /^(?:contract )?id$|^contract$/.test(key) && /^[A-Za-z][\w.-]*$/.test(plain(lab.rest))) explicitId ??= plain(lab.rest);
    else if (lab && /^(?:owner|owners|provider|providers|provided by|author|producer|maintainer)$/.test(key) && c.owner.length === 0) {
      c.owner = refsIn(lab.rest, true);
      c.ownerSrc = src;
    } else if (lab && /^(?:consumers?|consumed by|used by|dependents)$/.test(key)) {
      add(lab.rest, src);
      section = lab.rest.trim() === "" ? "consumers" : null;
    } else if (section === "consumers" && b.kind === "item") add(b.text, src);
    else if (section === "owner" && b.kind === "item" && c.owner.length === 0) {
      c.owner = refsIn(b.text, true);
      c.ownerSrc = src;
    }
  }
  if (!c.title && /\.ya?ml$/i.test(base)) c.title = /^\s*title:\s*(.+)$/m.exec(text)?.[1]?.trim();
  const prefixed = /^([A-Z]{1,10}-\d{1,4})\b/.exec(base) ?? (c.title ? /^([A-Z]{1,10}-\d{1,4})\b/.exec(c.title) : null);
  c.id = explicitId ?? prefixed?.[1] ?? stem;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(c.id)) c.id = slugify(c.id) || "contract";
  if (c.title) c.title = c.title.replace(/^(?:integration )?contract\s*:\s*/i, "").replace(/^[A-Z]{1,10}-\d{1,4}\s*[:\-–—]\s*/, "").trim() || undefined;
  if (c.title === undefined) delete c.title;
  return c;

  function add(text: string, src: Src): void {
    const t = plain(text);
    if (/^(?:none|n\/a|-)\b/i.test(t)) return;
    if (/^all\b/i.test(t) && !/-agent|`/.test(text)) c.consumersAll = true;
    c.consumers.push(...refsIn(text, true));
    c.consumersSrc ??= src;
  }
}
