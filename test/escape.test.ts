// lib/escape.ts: agent text on one line (status-log.md) and on a terminal (issue 14, item 5).
import { expect, test } from "bun:test";
import { escapeControl, safeForTerminal } from "../lib/escape.ts";
import { broadcastLine } from "../daemon/status/render.ts";

test("escapeControl keeps a field on its line: newlines, CR, ESC, NUL, C1 and U+2028 shown escaped", () => {
  expect(escapeControl("a\nb\r\tc\x1b[31m\x00\x85\u2028é")).toBe("a\\nb\\r\\tc\\x1b[31m\\x00\\x85\\u2028é");
});

test("a status-log line cannot be forged through who, type or message", () => {
  const forged = "a\n[2026-01-01 00:00:00] b COMPLETED all done";
  const line = broadcastLine(0, forged, "IN_PROGRESS", `status: agent=${forged}\r\n\x1b[2J`);
  expect(line.split("\n")).toHaveLength(1);
  expect(line).toBe("[1970-01-01 00:00:00] a\\n[2026-01-01_00:00:00]_b_COMPLETED_all_done IN_PROGRESS status: agent=a\\n[2026-01-01 00:00:00] b COMPLETED all done\\r\\n\\x1b[2J");
});

test("safeForTerminal removes CSI, OSC and other escape sequences, keeps newlines and tabs", () => {
  expect(safeForTerminal("\x1b[1;31mbold\x1b[0m\n\ttab\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\n")).toBe("bold\n\ttablink\n");
  expect(safeForTerminal("progress 10%\rprogress 20%\r\n")).toBe("progress 10%\nprogress 20%\n");
  expect(safeForTerminal("bell\x07 del\x7f c1\x9b2J")).toBe("bell\\x07 del\\x7f c1");
  // a sequence cut between two chunks leaves no ESC
  expect(safeForTerminal("half \x1b") + safeForTerminal("[2J")).toBe("half \\x1b[2J");
  // linear on a long run of unterminated OSC openers
  expect(safeForTerminal("\x1b]".repeat(100_000)).includes("\x1b")).toBe(false);
});
