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

describe("hostile patterns and paths (issue 14)", () => {
  test("[!…] never matches /, so src[!x]a.ts neither covers nor overlaps src/a.ts", () => {
    expect(t("src[!x]a.ts").covers("src/a.ts")).toBe(false);
    expect(t("src[!x]a.ts").covers("srcya.ts")).toBe(true);
    expect(t("src[^x]a.ts").covers("src/a.ts")).toBe(false);
    expect(t("src?a.ts").covers("src/a.ts")).toBe(false);
    expect(t("src[!x]a.ts").overlaps(t("src/a.ts"))).toBe(false);
    expect(t("src/a.ts").overlaps(t("src[!x]a.ts"))).toBe(false);
    // a set still works inside a segment, ranges and a literal `]` first included
    expect(t("src/[!a-c]x.ts").covers("src/dx.ts")).toBe(true);
    expect(t("src/[!a-c]x.ts").covers("src/bx.ts")).toBe(false);
    expect(t("src/[]a]x.ts").covers("src/]x.ts")).toBe(true);
    expect(t("src/[ab.ts").covers("src/[ab.ts")).toBe(true); // an unclosed `[` is literal
  });

  test("brace alternatives are checked one by one: {..,src}/x, {/etc,src}, {.git,src} are refused", () => {
    for (const bad of ["{..,src}/x", "{/etc,src}", "{.git,src}", "src/{a,{b,../../c}}", "{.context-kit,x}/orchestration/p", "{~,src}/x", "src/{.git,x}/hooks"]) {
      expect(territoryEntryProblem(bad)).not.toBeNull();
    }
    expect(territoryEntryProblem("{src,lib}/x")).toBeNull();
    // an entry whose alternatives would explode is refused without being expanded
    expect(territoryEntryProblem("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}")).toContain("alternatives");
    expect(expandBraces("{a,b}{a,b}{a,b}", 4)).toBeNull();
  });

  test("matching a 12 kB path against src/*a*b*c.ts does not backtrack (answers at once)", () => {
    // 45 s with the old regex; bench/hostile.ts times the matcher. Here: it finishes and is right.
    const long = "src/" + "a".repeat(3000) + "b".repeat(3000) + "x".repeat(3000) + ".ts";
    expect(t("src/*a*b*c.ts").covers(long)).toBe(false); // 12 kB: refused before matching
    const under = "src/" + "a".repeat(2000) + "b".repeat(2000) + "x.ts"; // 4,008 bytes: matched
    expect(t("src/*a*b*c.ts").covers(under)).toBe(false);
    expect(t("src/*a*b*x.ts").covers(under)).toBe(true);
    expect(t("src/*a*b*c.ts").covers("src/" + "ab".repeat(1500) + "c.ts")).toBe(true);
    const deep = "src/" + Array.from({ length: 1000 }, () => "a").join("/") + "/z.ts";
    expect(t("src/**/a/**/a/**/b/**/*.ts").covers(deep)).toBe(false);
    expect(t("src/**/a/**/a/**/*.ts").covers(deep)).toBe(true);
  });

  test("paths over 4,096 bytes are refused before matching", () => {
    const path = "src/" + "é".repeat(2100); // 4,204 bytes in UTF-8, 2,104 characters
    expect(t("src").covers(path)).toBe(false);
    expect(t("**").covers("x/".repeat(2049))).toBe(false);
    expect(t("**").covers("x/".repeat(2000) + "y")).toBe(true);
  });
});
