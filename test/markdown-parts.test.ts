// The pieces of the markdown compiler: the block tokenizer, path recognition, shell command
// splitting, label vocabulary, and agent/wave heading recognition.
import { expect, test } from "bun:test";
import { parseBlocks } from "../inbox/markdown/blocks.ts";
import { parseLabel } from "../inbox/markdown/inline.ts";
import { asPath, pathsInText, treeEntries } from "../inbox/markdown/paths.ts";
import { looksLikeCommand, shellCommands } from "../inbox/markdown/shell.ts";
import { agentHeading, classifyLabel, refId, waveHeading } from "../inbox/markdown/vocab.ts";

test("blocks: headings, items with checkboxes and continuations, tables, fenced code, rules", () => {
  const blocks = parseBlocks("# Title\n\n- [ ] first\n  still first\n1. second\n\n| a | b |\n|---|---|\n| `x|y` | 2 |\n\n```bash\n# not a heading\nls\n```\n---\ntext");
  expect(blocks.map((b) => b.kind)).toEqual(["heading", "item", "item", "row", "code", "rule", "para"]);
  expect(blocks[1]).toMatchObject({ checkbox: true, text: "first still first", line: 3 });
  expect(blocks[3]).toMatchObject({ cells: ["`x|y`", "2"], header: ["a", "b"], line: 9 });
  expect(blocks[4]).toMatchObject({ lang: "bash", body: ["# not a heading", "ls"] });
});

test("paths: files, directories, globs and dotfiles; not routes, urls, versions, placeholders or prose", () => {
  for (const p of ["src/a.ts", "src/", "*.md", "public/404.html", ".env", "docs/**", "Dockerfile", "/src/main.tsx", "./lib/x.js"])
    expect(asPath(p, false)).not.toBeNull();
  expect(asPath("/src/main.tsx", false)).toEqual({ path: "src/main.tsx", leadingSlash: true, bare: false });
  for (const p of ["/api/documents", "http://x.io/a.js", "v1.2.3", "{doc_id}/cover.png", "UI/UX", "e.g.", "localhost:8000", ".album-art"])
    expect(asPath(p, false)).toBeNull();
  expect(asPath("light/dark", true)).toBeNull();
  expect(asPath("and/or", true)).toBeNull();
});

test("paths in a labelled line: code spans and leading bare paths, annotations and read-only parts dropped", () => {
  const paths = (t: string) => pathsInText(t).map((h) => h.path);
  expect(paths("`src/a.py` (lines 10-20), `src/b.py` (new file)")).toEqual(["src/a.py", "src/b.py"]);
  expect(paths("src/components/ui/ directory")).toEqual(["src/components/ui/"]);
  expect(paths("`src/components/*` (read-only), `.context-kit/_specs/audit/`")).toEqual([".context-kit/_specs/audit/"]);
  expect(paths("Root config files, build tooling")).toEqual([]);
  expect(paths("README, docs/, deployment guides")).toEqual(["docs/"]);
  expect(paths("`a.md`<br>`b/c.md`")).toEqual(["a.md", "b/c.md"]);
  expect(paths("Port client (copy from `src/old/client.js`)")).toEqual([]);
});

test("file trees in code blocks: full paths, depth and notes", () => {
  const entries = treeEntries(["docker/", "├── compose.yml   ✍️ Write", "└── .env", "", "scripts/", "└── setup.sh ← Agent 2 (CREATE)"]);
  expect(entries.map((e) => [e.path, e.depth])).toEqual([
    ["docker/", 0],
    ["docker/compose.yml", 1],
    ["docker/.env", 1],
    ["scripts/", 0],
    ["scripts/setup.sh", 1],
  ]);
  expect(entries[4]!.note).toBe("← Agent 2 (CREATE)");
});

test("shell: comments dropped, continuations joined, multi-line quotes, heredocs and loops kept whole", () => {
  const body = [
    "# build",
    "npm run build   # then test",
    "curl -X POST http://x/api \\",
    '  -H "Content-Type: application/json" \\',
    "  -d '{\"q\": 1}'",
    'python -c "',
    "import sys  # inside the string",
    'print(1)"',
    "cat > f.txt <<'EOF'",
    "# kept",
    "EOF",
    "for i in 1 2; do",
    "  echo $i",
    "done",
    "",
    "Expected: 200 OK",
  ];
  expect(shellCommands(body).map((c) => c.command)).toEqual([
    "npm run build",
    `curl -X POST http://x/api -H "Content-Type: application/json" -d '{"q": 1}'`,
    'python -c "\nimport sys  # inside the string\nprint(1)"',
    "cat > f.txt <<'EOF'\n# kept\nEOF",
    "for i in 1 2; do\n  echo $i\ndone",
  ]);
  expect(shellCommands(["$ npm test", "> all passed", "$ make lint"]).map((c) => c.command)).toEqual(["npm test", "make lint"]);
});

test("shell: inline spans count as commands only when they start with a known tool", () => {
  for (const c of ["npm run build", "pytest tests/ -v", "docker-compose config", "./scripts/check.sh", "FOO=1 npm test", "make"]) expect(looksLikeCommand(c)).toBe(true);
  for (const c of ["image_config.py", "GET /documents", "open", "src/app.ts", "Run the tests"]) expect(looksLikeCommand(c)).toBe(false);
});

test("labels and their kinds", () => {
  expect(parseLabel("**Territory**: `src/`")).toEqual({ label: "Territory", rest: "`src/`", bold: true, colon: true });
  expect(parseLabel("**Deliverables:**")).toMatchObject({ label: "Deliverables", rest: "" });
  expect(parseLabel("**Owned Files** (MODIFY):")).toMatchObject({ label: "Owned Files (MODIFY)" });
  expect(parseLabel("Backend integration tests:")).toBeNull();
  const kinds = (ls: string[]) => ls.map(classifyLabel);
  expect(kinds(["Territory (Read/Write)", "Exclusive Write Access", "Files Created", "Owned Directories"])).toEqual(["territory", "territory", "territory", "territory"]);
  expect(kinds(["Territory (Read-Only)", "Read-Only Access", "Files Reviewed"])).toEqual(["readonly", "readonly", "readonly"]);
  expect(kinds(["Wave 1 Synchronization Gate", "Validation Criteria", "Quality Gates"])).toEqual(["gate", "gate", "gate"]);
  expect(kinds(["Deliverables", "Tasks", "Responsibilities", "Dependencies", "Agents", "Wave"])).toEqual(["deliverables", "tasks", "tasks", "deps", "agents", "wave"]);
  expect(kinds(["File Structure Preview", "Critical Path", "Success Criteria", "Rollback Procedures"])).toEqual(["other", "other", "other", "other"]);
});

test("agent and wave headings, and the ids they give", () => {
  const id = (t: string) => {
    const r = agentHeading(t);
    return r ? refId(r) : null;
  };
  expect(id("Agent 1: GitHub Pages Specialist")).toBe("agent-1-github-pages-specialist");
  expect(id("**Agent 2: Core Library Logic** (`library-agent`)")).toBe("library-agent");
  expect(id("Agent: infra-agent")).toBe("infra-agent");
  expect(id("Agent 3: validation-core-agent")).toBe("validation-core-agent");
  expect(id("Agent 1-A: Portfolio Auditor")).toBe("agent-1-a-portfolio-auditor");
  expect(id("config-agent Tasks (Schema Definition)")).toBe("config-agent");
  expect(id("foundation-agent (continues)")).toBe("foundation-agent");
  expect(id("**Infrastructure Agent**")).toBe("infrastructure-agent");
  for (const t of ["Agent Roster", "All Agents: Cross-Integration Testing", "Orchestrator (Wave 2)", "Wave 1 Agents (Foundation Layer)", "Success Criteria (Per Agent)"]) expect(id(t)).toBeNull();
  expect(waveHeading("**Wave 0: Specification** (Current - Orchestrator)")).toEqual({ number: 0, title: "Specification", separated: true });
  expect(waveHeading("Wave 2 - Storage")).toMatchObject({ number: 2, title: "Storage" });
  expect(waveHeading("Wave-Based Execution Plan")).toBeNull();
});
