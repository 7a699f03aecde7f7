// What a territory covers and when two territories overlap (protocol/territory.ts).
import { describe, expect, test } from "bun:test";
import { expandBraces, Territory, territoryEntryProblem } from "../protocol/index.ts";

const t = (...entries: string[]) => new Territory(entries);

describe("covers", () => {
  test.each([
    [["src"], "src/a.ts", true],
    [["src"], "src", true],
    [["src"], "src-evil/a.ts", false],
    [["src/"], "src/x/y.ts", true],
    [["src/**"], "src/x/y.ts", true],
    [["src/*.ts"], "src/a.ts", true],
    [["src/*.ts"], "src/x/a.ts", false],
    [["src/**/*.ts"], "src/a.ts", true],
    [["src/**/*.ts"], "src/x/y/a.ts", true],
    [["**/*.md"], "docs/a/b.md", true],
    [["{src,lib}/x.ts"], "lib/x.ts", true],
    [["./public/404.html"], "public/404.html", true],
    [["src/App.jsx"], "src/App.jsx", true],
    [["src/App.jsx"], "src/App.jsx.bak", false],
    [["src/App.jsx"], "src/AppXjsx", false],
    [["src/[ab].ts"], "src/b.ts", true],
  ] as [string[], string, boolean][])("%p covers %s: %p", (entries, path, want) => {
    expect(t(...entries).covers(path)).toBe(want);
  });
});

describe("overlaps", () => {
  test.each([
    [["src"], ["src/a.ts"], true],
    [["src"], ["src-evil"], false],
    [["src/*.ts"], ["src/*.css"], false],
    [["src/**"], ["src/x/*.ts"], true],
    [["a/b"], ["a/c"], false],
    [["**"], ["anything/at/all"], true],
    [["src/**/*.ts"], ["src/a/b.ts"], true],
    [["src/**/*.test.ts"], ["src/app.ts"], false],
    [["lib/{a,b}.ts"], ["lib/c.ts"], false],
    [["lib/{a,b}.ts"], ["lib/b.ts"], true],
    [["src/components/"], ["src/components/Button.tsx"], true],
  ] as [string[], string[], boolean][])("%p and %p: %p", (a, b, want) => {
    expect(t(...a).overlaps(t(...b))).toBe(want);
    expect(t(...b).overlaps(t(...a))).toBe(want);
  });
});

test("entries that escape the root or touch purple's own files are refused", () => {
  for (const bad of ["/etc/passwd", "../../etc", "src/../../x", "a\0b", "~/x", ".git/hooks", ".context-kit/orchestration/p/status.json", "C:/x", "a\\b", ""])
    expect(territoryEntryProblem(bad)).not.toBeNull();
  for (const ok of ["src", "src/", "./src/a.ts", "**/*.md", "docs/{a,b}.md"]) expect(territoryEntryProblem(ok)).toBeNull();
});

test("brace expansion", () => {
  expect(expandBraces("src/{a,b/{c,d}}.ts")).toEqual(["src/a.ts", "src/b/c.ts", "src/b/d.ts"]);
});
