// Tables that fit: the shrinkable columns give way in order, down to a floor, with an ellipsis;
// nothing is cut when it fits or with an infinite width.
import { expect, test } from "bun:test";
import { cut, outputWidth, table } from "../ctl/table.ts";

const rows = [["alpha", "failed", "agent build failed: " + "x".repeat(200)], ["a-much-longer-plan-name-than-usual", "running", ""]];

test("a table cut to 60 columns: the reason gives way first, then the name; every line fits", () => {
  const text = table(["PLAN", "STATE", "REASON"], rows, { width: 60, shrink: [2, 0] });
  for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(60);
  expect(text).toContain("agent build fa…");
  expect(text).toContain("…");
  expect(text).toContain("a-much-longer-plan-name-than-usual"); // the reason's room sufficed
  const narrow = table(["PLAN", "STATE", "REASON"], rows, { width: 30, shrink: [2, 0] });
  expect(narrow).toContain("a-much-lo…"); // then the name, down to its floor
  expect(table(["PLAN", "STATE", "REASON"], rows, { width: Infinity, shrink: [2, 0] })).toContain("x".repeat(200));
  expect(cut("abcdef", 4)).toBe("abc…");
  expect(outputWidth(true)).toBe(Infinity);
  expect(outputWidth(false, { COLUMNS: "77" })).toBe(process.stdout.isTTY ? process.stdout.columns : 77);
});
