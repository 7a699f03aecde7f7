// Writing styles met first in bench/blind6 (plans written before their author read the compiler):
// a table whose schedule column letters its batches, "Stage N checks" labels, and more below.
// Every fixture is written for this test, not taken from the blind set.
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMarkdownFolder, type CompileResult } from "../inbox/markdown/compile.ts";
import { compileChecked, territories as territory, waveSummary as summary } from "./support/markdown-compile.ts";

const compile = (files: Record<string, string>): CompileResult => compileChecked(files, "blind6");
const gateRuns = (r: CompileResult) => r.plan.waves.map((w) => (w.gate ?? []).flatMap((g) => ("run" in g ? [g.run] : [])));

test("a roster whose schedule column letters the batches (A, B) runs each letter as a wave; 'after every batch' gates them all", () => {
  const r = compile({
    "upgrade.md": `# Upgrade the image pipeline

| Batch | Owner | Touches | Reads |
|---|---|---|---|
| A | codec-bumper | \`pipeline/codecs.toml\` | \`Cargo.lock\` |
| B | resize-fixer | \`pipeline/src/resize.rs\` | — |
| B | exif-fixer | \`pipeline/src/exif.rs\` | \`pipeline/src/resize.rs\` |

Batch gate (after every batch): \`cargo test -p pipeline\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["codec-bumper"] },
    { id: "wave-2", agents: ["resize-fixer", "exif-fixer"] },
  ]);
  expect(territory(r)).toEqual({ "codec-bumper": ["pipeline/codecs.toml"], "resize-fixer": ["pipeline/src/resize.rs"], "exif-fixer": ["pipeline/src/exif.rs"] });
  expect(gateRuns(r)).toEqual([["cargo test -p pipeline"], ["cargo test -p pipeline"]]);
});

test("a bold 'Stage N checks' line inside a stage gates that stage with the commands below it", () => {
  const r = compile({
    "orchestration-plan.md": `# Search facets

## Stage 1 — Index

### Agent: facet-indexer
- **Files:**
  - \`search/facets.py\`

**Stage 1 checks**

\`\`\`bash
pytest search -q
\`\`\`

## Stage 2 — UI

### Agent: facet-panel
- **Files:**
  - \`ui/FacetPanel.vue\`

**Stage 2 checks**

\`\`\`bash
npm run test:ui
\`\`\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["facet-indexer"] },
    { id: "wave-2", agents: ["facet-panel"] },
  ]);
  expect(gateRuns(r)).toEqual([["pytest search -q"], ["npm run test:ui"]]);
});

test("bold phase lines listing code-spanned names, and an Agents list of name-only items whose nested items say what each writes", () => {
  const r = compile({
    "pipeline.md": `# Feed importer

- **Phase 1:** \`fetcher\`, \`parser-xml\`
- **Phase 2:** \`dedup\`

## Agents

- **fetcher**
  - creates \`feeds/fetch.py\`
  - reads \`feeds/settings.toml\` (no changes)
- **parser-xml**
  - modifies \`feeds/parse/xml.py\`
- **dedup**
  - owns \`feeds/dedup/\`
  - see \`examples/dedup_sample.json\` for the format

After each phase run \`pytest feeds -q\`.
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["fetcher", "parser-xml"] },
    { id: "wave-2", agents: ["dedup"] },
  ]);
  expect(territory(r)).toEqual({ fetcher: ["feeds/fetch.py"], "parser-xml": ["feeds/parse/xml.py"], dedup: ["feeds/dedup/"] });
  expect(gateRuns(r)).toEqual([["pytest feeds -q"], ["pytest feeds -q"]]);
});

test("a plan split over files: links in a wave name agents whose linked files are their briefs; a link named by its file is no agent", () => {
  const r = compile({
    "plan.md": `# Wiki export

See [notes.md](notes.md) for background.

## Wave 1
- [html-export](briefs/html-export.md)
- [pdf-export](briefs/pdf-export.md)

## Wave 2
- [export-menu](briefs/export-menu.md)
`,
    "notes.md": "# Notes\n\nNothing to do here; `wiki/export/` is mentioned only.\n",
    "briefs/html-export.md": "# html-export\n\nOwns:\n- `wiki/export/html.rs`\n\nReads `wiki/page.rs` to learn the page format.\n",
    "briefs/pdf-export.md": "# pdf-export\n\nOwns:\n- `wiki/export/pdf.rs`\n\nMust not touch `wiki/export/html.rs`.\n",
    "briefs/export-menu.md": "# export-menu\n\nOwns:\n- `ui/src/ExportMenu.tsx`\n",
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["html-export", "pdf-export"] },
    { id: "wave-2", agents: ["export-menu"] },
  ]);
  expect(territory(r)).toEqual({ "html-export": ["wiki/export/html.rs"], "pdf-export": ["wiki/export/pdf.rs"], "export-menu": ["ui/src/ExportMenu.tsx"] });
});

test("the folder reader takes markdown briefs straight inside agents/ but not purpled's agents/<id>/ output", () => {
  const dir = mkdtempSync(join(tmpdir(), "blind6-briefs-"));
  try {
    mkdirSync(join(dir, "agents", "html-export"), { recursive: true });
    writeFileSync(join(dir, "plan.md"), "# x\n");
    writeFileSync(join(dir, "agents", "html-export.md"), "# html-export\n");
    writeFileSync(join(dir, "agents", "html-export", "prompt.md"), "written by purpled\n");
    expect(Object.keys(readMarkdownFolder(dir)).sort()).toEqual(["agents/html-export.md", "plan.md"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("agents declared in YAML front matter (name, sprint, owns) run in the body's sprints; an indented block under 'Gate:' is that sprint's gate", () => {
  const r = compile({
    "PLAN.md": `---
title: Audit log
agents:
  - name: audit-table
    sprint: 1
    owns:
      - db/migrations/0042_audit.sql
    reads:
      - db/schema.sql
  - name: audit-view
    sprint: 2
    owns: [web/audit/]
---

# Audit log

## Sprint 1 — storage

The table agent looks at \`db/schema.sql\` first.

Gate:

    make db-test

## Sprint 2 — page

Gate:

    npm test
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["audit-table"] },
    { id: "wave-2", agents: ["audit-view"] },
  ]);
  expect(territory(r)).toEqual({ "audit-table": ["db/migrations/0042_audit.sql"], "audit-view": ["web/audit/"] });
  expect(gateRuns(r)).toEqual([["make db-test"], ["npm test"]]);
  const src = r.territory?.find((t) => t.path === "web/audit/");
  expect(src && { file: src.file, line: src.line }).toEqual({ file: "PLAN.md", line: 12 });
});

test("numbered items 'X agent — creates …' under 'Parallel group N' lines; a gate on every group with Go's ./... pattern runs unattended", () => {
  const r = compile({
    "README.md": `# Webhook retries

Parallel group 1
1. Queue agent — creates \`hooks/queue/retry.go\`.
2. Backoff agent — writes \`hooks/backoff.go\`; reads \`hooks/queue/retry.go\` for the interface.

Parallel group 2 (after group 1 is merged)
3. Docs agent — updates \`docs/webhooks.md\`.

Check after each group: \`go test ./...\`

Nobody edits \`hooks/server.go\`.
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["queue-agent", "backoff-agent"] },
    { id: "wave-2", agents: ["docs-agent"] },
  ]);
  expect(territory(r)).toEqual({ "queue-agent": ["hooks/queue/retry.go"], "backoff-agent": ["hooks/backoff.go"], "docs-agent": ["docs/webhooks.md"] });
  expect(gateRuns(r)).toEqual([["go test ./..."], ["go test ./..."]]);
});

test("a bullet tree: phase items, agent names nested under them, 'edits:'/'creates:' below each name; 'reference only' is not territory", () => {
  const r = compile({
    "agents.md": `# Theme tokens

- Phase 1: tokens
  - token-writer
    - creates: \`ui/tokens.json\`
    - edits: \`ui/build.ts\`
- Phase 2: consumers
  - button-port
    - edits: \`ui/Button.tsx\`
    - reference only: \`ui/tokens.json\`

Validation per phase: \`npm test\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["token-writer"] },
    { id: "wave-2", agents: ["button-port"] },
  ]);
  expect(territory(r)).toEqual({ "token-writer": ["ui/tokens.json", "ui/build.ts"], "button-port": ["ui/Button.tsx"] });
  expect(gateRuns(r)).toEqual([["npm test"], ["npm test"]]);
});

test("terse notes: 'round N:' lines and 'name -> paths' lines, bare paths included", () => {
  const r = compile({
    "notes.md": `search box, 2 rounds

round 1 (parallel):
  index   -> search/index.ts, search/tokenize.ts
  box     -> src/SearchBox.svelte

round 2:
  polish  -> fix focus in src/routes/+page.svelte and src/lib/Nav.svelte

don't touch src/lib/vendor/
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["index", "box"] },
    { id: "wave-2", agents: ["polish"] },
  ]);
  expect(territory(r)).toEqual({ index: ["search/index.ts", "search/tokenize.ts"], box: ["src/SearchBox.svelte"], polish: ["src/routes/+page.svelte", "src/lib/Nav.svelte"] });
  // The outline alone saw no waves of agents; the report says the file was read as the plan anyway.
  expect(r.items.find((i) => i.line === 1 && /read as the plan/.test(i.message))?.kind).toBe("inferred");
  expect(r.items.some((i) => i.kind === "not-understood" && /no markdown file holds waves/.test(i.message))).toBe(false);
});

test("an arrow outside any wave is a data flow, not an agent", () => {
  const r = compile({
    "plan.md": `# Ingest

## Data flow
- extract -> staging/raw/
- loader -> warehouse/tables/

## Wave 1
### Agent: stager
- **Files:** \`staging/loader.py\`
`,
  });
  expect(summary(r)).toEqual([{ id: "wave-1", agents: ["stager"] }]);
  expect(territory(r)).toEqual({ stager: ["staging/loader.py"] });
});

test("a code span between a writing verb and 'to' does not hide the file written to", () => {
  const r = compile({
    "plan.md": `# Limits

## Wave 1
### Agent: config-agent
- Adds the \`limits:\` section to \`config/app.yaml\` and edits \`src/config.go\`.
- Reads \`src/main.go\`.
`,
  });
  expect(territory(r)).toEqual({ "config-agent": ["config/app.yaml", "src/config.go"] });
});

test("in a gate on every wave, a sentence naming one wave (by number, or the last) gates only that wave", () => {
  const r = compile({
    "plan.md": `# Reports

## Wave 1
### Agent: query-agent
- **Files:** \`reports/query.sql\`

## Wave 2
### Agent: chart-agent
- **Files:** \`reports/chart.ts\`

## Wave 3
### Agent: mail-agent
- **Files:** \`reports/mail.ts\`

After each wave run \`make test\`. After wave 2 also \`make lint\`. The last wave must additionally pass \`make e2e\`.
`,
  });
  expect(gateRuns(r)).toEqual([["make test"], ["make test", "make lint"], ["make test", "make e2e"]]);
});
