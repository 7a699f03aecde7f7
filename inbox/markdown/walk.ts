// One pass over a markdown file's blocks with the context a reader keeps in mind: which wave we
// are in, whose section this is, and what the last label announced (Territory, Tasks, Gate …).
// Each block is handed to `collect.ts` under that context; mentions and facts go into a FileDraft.
import type { Block } from "./blocks.ts";
import { collectCode, collectText, type Context } from "./collect.ts";
import { draftSink, emptyDraft, type FileDraft, type Src, type WaveRef } from "./draft.ts";
import { codeSpans, plain } from "./inline.ts";
import type { WaveMarker } from "./outline.ts";
import { diagramMembers, lineRefs, waveClauses } from "./wave-lines.ts";
import { agentLabelLine, boldAgentLine, nameItem, personAgentLine, startsWithPath } from "./agent-lines.ts";
import { assignedHeading, gateWaveLine, lineLabel, WrappedSentences } from "./section-lines.ts";
import { briefLinks } from "./brief-links.ts";
import { fileAHeadingChanges, pathsInText } from "./paths.ts";
import { readRow } from "./tables.ts";
import { agentHeading, agentIdsIn, agentNumbersIn, classifyLabel, meansEveryWave, phaseHeading, waveHeading, waveNumberIn, type AgentRef, type LabelKind } from "./vocab.ts";

export interface WalkOptions {
  /** the main file: its wave markers define the plan's waves */
  markers: readonly WaveMarker[];
  /** every "Wave N" heading is about gates (validation-strategy.md) */
  gateFile: boolean;
}

interface Frame {
  level: number;
  line: number;
  /** a rollback / risk / metrics heading: nothing under it is a gate */
  blocked?: boolean;
  wave?: WaveRef;
  mention?: number;
  label?: LabelKind;
  gateWave?: WaveRef | "every";
  testing?: boolean;
  /** a wave line ("Wave 2:") inside a "## Gates" section: what follows is that wave's checks */
  underGate?: boolean;
}

interface InlineLabel {
  kind: LabelKind;
  line: number;
  indent: number;
  isItem: boolean;
  gateWave?: WaveRef | "every";
  baseIndent: number | null;
}

const NOT_GATE = /rollback|failure|recover|revert|\brisks?\b|mitigation|success (?:metrics|criteria)|^(?:wave \d+ )?success$|\bmetrics\b|\btargets?\b|\blaunch|timeline|estimat|handoff|lessons/i;

/** Read one file into a draft; never throws on odd input. */
export function walkFile(file: string, blocks: readonly Block[], opts: WalkOptions): FileDraft {
  const draft = emptyDraft(file);
  const markerAt = new Map(opts.markers.map((m, k) => [m.block, k] as const));
  const stack: Frame[] = [];
  let bold: { mention: number; indent: number; listed?: boolean } | null = null;
  let inline: InlineLabel | null = null;
  let headingBase: number | null = null;
  // The last list item under a territory label that named a directory: items nested below it name
  // files inside it, already covered.
  let dirItem: { indent: number; path: string } | null = null;
  const src = (line: number): Src => ({ file, line });

  const closeFrame = (f: Frame, endLine: number): void => {
    if (f.mention !== undefined) draft.mentions[f.mention]!.end = endLine;
    if (f.wave?.index !== undefined) draft.waves[f.wave.index]!.end = endLine;
  };
  const closeBold = (endLine: number): void => {
    if (bold) draft.mentions[bold.mention]!.end = endLine;
    bold = null;
  };
  const top = <K extends keyof Frame>(key: K): Frame | undefined => [...stack].reverse().find((f) => f[key] !== undefined);
  const currentWave = (): WaveRef | undefined => top("wave")?.wave;
  const currentMention = (): number | null => {
    if (bold) return bold.mention;
    const a = top("mention");
    const w = top("wave");
    return a && (!w || stack.indexOf(a) > stack.indexOf(w)) ? a.mention! : null;
  };
  // The innermost label heading inside the current agent/wave section; an unlabelled part of a gate
  // ("#### Unit Tests" under "## Wave 1 Validation") stays part of the gate.
  const headingLabel = (): Frame | undefined => {
    const floor = Math.max(stack.indexOf(top("mention")!), stack.indexOf(top("wave")!));
    let found: Frame | undefined;
    for (let k = stack.length - 1; k > floor; k--) {
      const f = stack[k]!;
      if (f.blocked) return found ?? f;
      if (f.label === undefined) continue;
      if (!found) found = f;
      if (found.label !== "other") return found;
      if (f.label === "gate") return f;
    }
    return found;
  };
  const mention = (ref: AgentRef, define: boolean, at: Src): number => {
    const wave = currentWave();
    draft.mentions.push({ ref, src: at, define, ...(wave ? { wave } : {}) });
    return draft.mentions.length - 1;
  };
  const context = (line: number): Context => {
    const hl = headingLabel();
    // Under an agent a name-only item opened, the nested items are its own sentences, not the list's.
    let label = inline ? inline.kind : bold?.listed ? null : (hl?.label ?? (top("wave")?.underGate ? "gate" : null));
    if (inline && inline.kind === "other" && hl?.label === "gate") label = "gate";
    const gateWave = label === "gate" || label === "tests" ? (inline?.gateWave ?? hl?.gateWave ?? top("gateWave")?.gateWave ?? currentWave() ?? null) : null;
    const gateAnchor = inline && inline.kind === "gate" ? inline.line : (hl?.line ?? line);
    return { file, line, agent: currentMention(), wave: currentWave() ?? null, label, gateWave, baseIndent: inline ? inline.baseIndent : headingBase, gateAnchor };
  };
  const sink = draftSink(draft, mention);

  // A wave written as a list item ("- Wave 1: a-agent, b-agent") spans only that item.
  let itemWave: { indent: number; frame: Frame } | null = null;
  const endItemWave = (line: number): void => {
    if (!itemWave) return;
    const at = stack.indexOf(itemWave.frame);
    if (at >= 0) while (stack.length > at) closeFrame(stack.pop()!, line);
    itemWave = null;
  };
  const wrapped = new WrappedSentences(blocks);
  blocks.forEach((b, i) => {
    if (itemWave && (b.kind === "heading" || ((b.kind === "item" || b.kind === "para") && b.indent <= itemWave.indent))) endItemWave(b.line - 1);
    if (b.kind === "heading") {
      closeBold(b.line - 1);
      inline = null;
      headingBase = null;
      while (stack.length && stack[stack.length - 1]!.level >= b.level) closeFrame(stack.pop()!, b.line - 1);
      stack.push(headingFrame(b.text, b.level, b.line, i));
      return;
    }
    const marker = markerAt.get(i);
    if (marker !== undefined) {
      const m = opts.markers[marker]!;
      closeBold(b.line - 1);
      inline = null;
      while (stack.length && stack[stack.length - 1]!.level >= m.level) closeFrame(stack.pop()!, b.line - 1);
      const underGate = b.kind === "para" && stack.some((f) => f.label === "gate");
      stack.push(waveFrame(m, marker, b.line));
      if (underGate) stack[stack.length - 1]!.underGate = true;
      if (b.kind === "item") itemWave = { indent: b.indent, frame: stack[stack.length - 1]! };
      // "- Wave 1 (Foundation): `api-agent`, `db-agent`": the line names the wave's agents.
      if (b.kind === "item" || b.kind === "para")
        for (const ref of lineRefs(b.text, m.members ?? [])) {
          const k = mention(ref, ref.id !== undefined, src(b.line));
          draft.facts.push({ kind: "member", mention: k, wave: { index: marker }, src: src(b.line) });
        }
    }
    if (b.kind === "rule") {
      closeBold(b.line - 1);
      inline = null;
      return;
    }
    if (b.kind === "row") {
      const ctx = context(b.line);
      readRow(b, { agent: ctx.agent, label: ctx.label, gateWave: ctx.gateWave, src: src(b.line) }, sink);
      return;
    }
    if (b.kind === "code") {
      if (inline && inline.isItem && b.indent <= inline.indent) inline = null;
      const ctx = context(b.line);
      collectCode(b.body, b.lang, ctx, sink);
      if (ctx.agent === null && ctx.gateWave === null && ctx.label !== "gate" && ctx.label !== "tests" && opts.markers.length === 0 && !opts.gateFile) waveDiagram(b.body, b.line);
      return;
    }
    // para or item
    const indent = b.indent;
    const isItem = b.kind === "item";
    if (inline && (inline.isItem ? indent <= inline.indent : !isItem && b.kind === "para" && b.afterBlank && indent <= inline.indent)) inline = null;
    if (bold && isItem === false && b.kind === "para" && b.afterBlank && indent < bold.indent) closeBold(b.line - 1);
    // "Wave 1: WP1 and WP2 in parallel. Wave 2: WP3." when no wave is a heading: a drawing in words.
    const clauses = opts.markers.length === 0 && !opts.gateFile ? waveClauses(b.text) : [];
    if (clauses.length > 1) waveDiagram(clauses, b.line - 1);
    // Inside a wave written as a list item, a nested item naming only a lowercase name is an agent.
    const inItemWave = itemWave !== null && indent > itemWave.indent;
    const named = isItem && !boldAgentLine(b.text, isItem) ? nameItem(b.text, inline ? null : inItemWave ? "agents" : (headingLabel()?.label ?? null), inItemWave) : null;
    // "name -> paths" defines an agent only inside a wave or an agents/territory section: elsewhere
    // an arrow is as likely a data flow ("extract -> staging/").
    const lined = boldAgentLine(b.text, isItem);
    const arrowOk = !lined?.arrow || currentWave() !== undefined || ["agents", "territory"].includes(headingLabel()?.label ?? "");
    const boldAgent = (arrowOk ? lined : null) ?? named ?? (!isItem && currentWave() !== undefined ? (personAgentLine(b.text) ?? (currentMention() === null ? agentLabelLine(b.text) : null)) : null);
    if (boldAgent && marker === undefined) {
      const { ref, rest } = boldAgent;
      if (isItem && rest !== "") {
        const m = mention(ref, true, src(b.line));
        const ctx = { ...context(b.line), agent: m };
        if (startsWithPath(rest)) ctx.label = "territory";
        // A line defining an agent by its shape: what its verbs write ("owns `x`", "create `y`"),
        // and a wave written beside it ("[wave 2]").
        if (boldAgent.byShape) {
          ctx.label = null;
          const w = /[[(]\s*wave\s*#?\s*(\d{1,3})\s*[\])]/i.exec(b.text);
          if (w) draft.facts.push({ kind: "member", mention: m, wave: { number: Number(w[1]) }, src: src(b.line) });
        }
        collectText(rest, false, 0, ctx, sink, true);
        return;
      }
      closeBold(b.line - 1);
      inline = null;
      const m = mention(ref, true, src(b.line));
      bold = { mention: m, indent, ...(named ? { listed: true } : {}) };
      if (rest !== "") collectText(rest, false, indent, { ...context(b.line), label: "territory" }, sink, true);
      return;
    }
    const lab = lineLabel(b);
    if (lab && marker === undefined) {
      const kind = classifyLabel(lab.label);
      if (lab.bold || kind !== "other") {
        const n = waveNumberIn(lab.label);
        const every = (meansEveryWave(lab.label) || meansEveryWave(lab.rest)) && !NOT_GATE.test(b.text) && !stack.some((f) => f.blocked);
        const gateWave: WaveRef | "every" | undefined = every ? "every" : n !== null && kind === "gate" ? { number: n } : undefined;
        inline = { kind: every && kind !== "gate" ? "gate" : kind, line: b.line, indent, isItem, ...(gateWave ? { gateWave } : {}), baseIndent: null };
        if (lab.rest !== "") collectText(wrapped.read(i, lab.rest, inline.kind), false, indent, context(b.line), sink, true);
        return;
      }
    }
    // "Wave 2:" alone on a line under a "## Gates" heading: the checks below it are that wave's.
    const gateFor = !isItem && headingLabel()?.label === "gate" ? gateWaveLine(b.text) : null;
    if (gateFor !== null) {
      inline = { kind: "gate", line: b.line, indent, isItem: false, gateWave: { number: gateFor }, baseIndent: null };
      return;
    }
    if (!inline && headingBase === null && isItem) headingBase = indent;
    if (inline && inline.baseIndent === null && isItem) inline.baseIndent = indent;
    if (!inline && !isItem && meansEveryWave(b.text) && !NOT_GATE.test(b.text) && !stack.some((f) => f.blocked))
      inline = { kind: "gate", line: b.line, indent, isItem: false, gateWave: "every", baseIndent: null };
    const ctx = context(b.line);
    if (dirItem && (!isItem || indent <= dirItem.indent || (ctx.label !== "territory" && ctx.label !== "deliverables"))) dirItem = null;
    if (dirItem) ctx.parentDir = dirItem.path;
    collectText(isItem ? b.text : wrapped.read(i, b.text, ctx.label), isItem, indent, ctx, sink, false, b.kind === "item" && b.checkbox);
    // "1. T001 (branch verify, `senior-backend-engineer`)" in a wave's own prose: that agent works
    // in this wave — used only for an agent nothing else places.
    if (ctx.wave && ctx.agent === null && ctx.gateWave === null && (ctx.label === null || ctx.label === "other" || ctx.label === "tasks"))
      for (const ref of [...new Set([...agentIdsIn(b.text), ...codeSpans(b.text).filter((s) => /^[a-z][a-z0-9_-]{2,40}$/.test(s)), ...briefLinks(b.text).map((l) => l.id)])].map((id): AgentRef => ({ id })).concat(agentNumbersIn(b.text).map((number) => ({ number })))) {
        const k = mention(ref, false, src(b.line));
        draft.mentions[k]!.quiet = true;
        draft.facts.push({ kind: "member", mention: k, wave: ctx.wave, src: src(b.line), weak: true });
      }
    if (isItem && !dirItem && (ctx.label === "territory" || ctx.label === "deliverables")) {
      const dir = pathsInText(b.text)[0];
      if (dir && dir.path.endsWith("/")) dirItem = { indent, path: dir.path };
    }
  });
  const last = blocks.length ? blocks[blocks.length - 1]!.line : 0;
  closeBold(last);
  while (stack.length) closeFrame(stack.pop()!, last + 1000);
  return draft;

  // Agents a drawing of the waves (or a sentence naming several) places: members of those waves.
  function waveDiagram(lines: readonly string[], line: number): void {
    for (const d of diagramMembers(lines)) {
      const m = mention(d.ref, false, src(line + 1 + d.offset));
      draft.facts.push({ kind: "member", mention: m, wave: { number: d.wave }, src: src(line + 1 + d.offset) });
    }
  }

  function waveFrame(m: WaveMarker, index: number, line: number): Frame {
    draft.waves[index] = { number: m.number, title: m.title, ...(m.phase !== undefined ? { phase: m.phase } : {}), ...(m.agentsWorkHere ? { agentsWorkHere: true } : {}), src: src(line), end: line };
    return { level: m.level, line, wave: { index } };
  }

  // What a heading opens: a wave, a phase, an agent's section, or a labelled part (possibly a gate).
  function headingFrame(text: string, level: number, line: number, i: number): Frame {
    const marker = markerAt.get(i);
    if (marker !== undefined) return waveFrame(opts.markers[marker]!, marker, line);
    if (level === 1 && !draft.title) draft.title = { text: plain(text), src: src(line) };
    const frame: Frame = { level, line };
    if (phaseHeading(text) !== null) return frame;
    const testing = /\btest|validat|\bgates?\b|verif|quality|\bchecks?\b|checklist|synchroni/i.test(text) || stack.some((f) => f.testing);
    if (testing) frame.testing = true;
    const ref = opts.gateFile ? null : (agentHeading(text) ?? assignedHeading(blocks, i, text));
    // "#### next.config.js updates" inside an agent's section: the file it changes.
    const edited = ref ? null : currentMention();
    const changed = edited !== null ? fileAHeadingChanges(plain(text)) : null;
    if (edited !== null && changed)
      draft.facts.push({ kind: "territory", mention: edited, path: changed.path, src: src(line), weak: true, leadingSlash: changed.leadingSlash, bare: changed.bare, listing: true, how: "verb" });
    if (ref) {
      frame.mention = mention(ref, true, src(line));
      return frame;
    }
    let n = waveNumberIn(text);
    const w = waveHeading(text);
    // "Gate 2: API ready" outside any wave and any numbered gate section: the gate of wave 2.
    const gateNumber = /\bgate\s*#?\s*(\d{1,3})\b/i.exec(plain(text));
    if (n === null && gateNumber && !currentWave() && !top("gateWave") && !NOT_GATE.test(text)) n = Number(gateNumber[1]);
    if (n !== null) {
      if (NOT_GATE.test(text)) {
        frame.label = "other";
        frame.blocked = true;
        return frame;
      }
      const inAgent = currentMention();
      const restKind = classifyLabel(w ? w.title : text);
      if (inAgent !== null && w && restKind !== "gate" && restKind !== "tests") {
        draft.facts.push({ kind: "member", mention: inAgent, wave: { number: n }, src: src(line) });
        frame.label = restKind;
        return frame;
      }
      if (opts.gateFile || restKind === "gate" || testing) {
        frame.label = "gate";
        frame.gateWave = { number: n };
        return frame;
      }
      if (w && opts.markers.length === 0) frame.wave = { number: n };
      frame.label = restKind;
      return frame;
    }
    const kind = classifyLabel(text);
    frame.label = kind;
    if (meansEveryWave(text) && !NOT_GATE.test(text) && !stack.some((f) => f.blocked)) {
      frame.label = "gate";
      frame.gateWave = "every";
    } else if (kind === "gate" && !currentWave() && !top("gateWave") && /\bfinal\b|\boverall\b|end[- ]to[- ]end|\brelease\b|before (?:merge|release|launch)/i.test(text)) {
      frame.gateWave = { last: true };
    } else if (NOT_GATE.test(text)) {
      frame.label = "other";
      frame.blocked = true;
    }
    return frame;
  }
}
