// Agents known by the shape of a line rather than a word for "agent" (fixtures written for this
// test): a checklist of @-handles with the wave in brackets, bold kebab-case ids followed by what
// they own under lettered phases ("Phase A"), and a check "for each wave".
import { expect, test } from "bun:test";
import type { CompileResult } from "../inbox/markdown/compile.ts";
import { compileChecked, territories as territory, waveSummary as summary } from "./support/markdown-compile.ts";

const compile = (files: Record<string, string>): CompileResult => compileChecked(files, "shapes");

test("a checklist of @-handles: the bracketed wave places each, its verbs give its files, 'leave alone' does not", () => {
  const r = compile({
    "todo.md": `# Webhooks retry

- [ ] @queue-bot (wave 1): add \`hooks/queue.rb\`; leave \`hooks/legacy.rb\` alone
- [ ] @retry-bot (wave 2): write \`hooks/retry.rb\` and \`spec/hooks/retry_spec.rb\`
- [ ] @metrics-bot (wave 2): update \`hooks/metrics.rb\`

Check for each wave: \`bundle exec rspec spec/hooks\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["queue-bot"] },
    { id: "wave-2", agents: ["retry-bot", "metrics-bot"] },
  ]);
  expect(territory(r)).toEqual({ "queue-bot": ["hooks/queue.rb"], "retry-bot": ["hooks/retry.rb", "spec/hooks/retry_spec.rb"], "metrics-bot": ["hooks/metrics.rb"] });
  for (const w of r.plan.waves) expect(w.gate).toEqual([{ run: "bundle exec rspec spec/hooks" }]);
});

test("lettered phases of bold kebab-case ids that own paths; what they read is not theirs", () => {
  const r = compile({
    "plan.md": `# Map tiles

## Phase A: fetch
- **tile-fetcher** — owns \`tiles/fetch.py\`; reads \`tiles/config.yaml\`

## Phase B: render
- **tile-renderer** — owns \`tiles/render/\`. May read \`tiles/fetch.py\` but never change it.
- **tile-cache** — writes \`tiles/cache.py\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["tile-fetcher"] },
    { id: "wave-2", agents: ["tile-renderer", "tile-cache"] },
  ]);
  expect(territory(r)).toEqual({ "tile-fetcher": ["tiles/fetch.py"], "tile-renderer": ["tiles/render/"], "tile-cache": ["tiles/cache.py"] });
});

test("a responsibility table and a day-by-day schedule naming agents by bare name", () => {
  const r = compile({
    "plan.md": `# Nightly exports

| Component | Responsible | Files |
|-----------|-------------|-------|
| Dump | dumper | \`jobs/dump.sh\` |
| Upload | uploader | \`jobs/upload.py\` |
| Alerts | alert-hook | \`jobs/alerts.py\` |

| Day | Who works |
|-----|-----------|
| 1 | dumper |
| 2 | uploader, alert-hook |
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["dumper"] },
    { id: "wave-2", agents: ["uploader", "alert-hook"] },
  ]);
  expect(territory(r)).toEqual({ dumper: ["jobs/dump.sh"], uploader: ["jobs/upload.py"], "alert-hook": ["jobs/alerts.py"] });
});
