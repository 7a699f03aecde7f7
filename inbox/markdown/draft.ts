// What reading one markdown file yields before anything is decided: wave definitions, mentions of
// agents, and facts (a path, a ticket, a gate command …) each tied to a mention or a wave and to
// the file:line it came from. The assembler merges the drafts of a folder into one plan.
import type { Sink } from "./collect.ts";
import { clip } from "./inline.ts";
import type { AgentRef } from "./vocab.ts";

export interface Src {
  file: string;
  /** 1-based */
  line: number;
}

/**
 * How a territory path was given: under an ownership label ("label") or an ownership matrix's
 * column ("matrix"), as a deliverable, by a verb of writing in a task ("Create `x`"), on a line
 * that names its agent ("Agent 3: `src/x/`"), or in a file listing.
 */
export type TerritoryHow = "label" | "matrix" | "deliverable" | "verb" | "mention" | "listing";

/** A wave as a fact refers to it: by position among the main file's waves, or by the number written. */
export interface WaveRef {
  index?: number;
  number?: number;
  /** the plan's last wave ("Final Validation") */
  last?: boolean;
}

export interface DraftWave {
  number: number;
  title: string;
  /** the phase heading above it, when waves are grouped in phases */
  phase?: number;
  /** a step that names no agent but says the agents work in it (outline.ts) */
  agentsWorkHere?: boolean;
  src: Src;
  /** last line of the wave's section */
  end: number;
}

export interface Mention {
  ref: AgentRef;
  src: Src;
  /** a heading, bold line or roster row that names the agent as a subject (may create it) */
  define: boolean;
  wave?: WaveRef;
  /** last line of the agent's own section (for its prompt), when it has one */
  end?: number;
  /** a passing mention (an id in a wave's prose): not reported when it names no agent */
  quiet?: boolean;
}

export type Fact =
  | { kind: "territory"; mention: number; path: string; src: Src; weak: boolean; leadingSlash: boolean; bare: boolean; listing?: boolean; how?: TerritoryHow }
  | { kind: "ticket"; mention: number; title: string; description?: string; src: Src; from: "tasks" | "deliverables" }
  | { kind: "role"; mention: number; text: string; src: Src }
  | { kind: "dep"; mention: number; on: AgentRef; src: Src }
  | { kind: "member"; mention: number; wave: WaveRef; src: Src; weak?: boolean }
  | { kind: "run"; wave: WaveRef | "every"; command: string; src: Src; inline: boolean }
  | { kind: "manual"; wave: WaveRef; text: string; src: Src }
  | { kind: "exists"; wave: WaveRef; path: string; src: Src }
  | { kind: "unplaced"; src: Src; what: string };

export interface FileDraft {
  file: string;
  /** full paths of file listings (trees) in agents' sections: they tell shorthand from new names */
  known: string[];
  waves: DraftWave[];
  mentions: Mention[];
  facts: Fact[];
  title?: { text: string; src: Src };
  goal?: { text: string; src: Src };
  maxAgents?: { value: number; src: Src };
}

/** An empty draft for one file. */
export function emptyDraft(file: string): FileDraft {
  return { file, known: [], waves: [], mentions: [], facts: [] };
}

/** Where collect.ts puts what it finds: into `draft`; `mention` records one under the reader's current wave. */
export function draftSink(draft: FileDraft, mention: Sink["mention"]): Sink {
  return {
    mention,
    fact: (f) => void draft.facts.push(f),
    setId: (m, id) => void (draft.mentions[m]!.ref.id = id),
    appendTicket: (m, text) => {
      for (let k = draft.facts.length - 1; k >= 0; k--) {
        const f = draft.facts[k]!;
        if (f.kind === "ticket" && f.mention === m) return void (f.description = clip(`${f.description ?? f.title}\n- ${text}`, 4000));
      }
    },
    known: (path) => void draft.known.push(path),
    goal: (text, at) => void (draft.goal ??= { text, src: at }),
    max: (value, at) => void (draft.maxAgents ??= { value, src: at }),
  };
}
