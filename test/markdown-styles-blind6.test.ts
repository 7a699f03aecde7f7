// Writing styles met first in bench/blind6 (plans written before their author read the compiler):
// a table whose schedule column letters its batches, "Stage N checks" labels, and more below.
// Every fixture is written for this test, not taken from the blind set.
import { expect, test } from "bun:test";
import type { CompileResult } from "../inbox/markdown/compile.ts";
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
