// Text an agent wrote must not forge lines or drive a terminal. Two forms:
//   escapeControl   one line: every control character (newlines included) becomes a visible
//                   escape (`\n`, `\t`, `\x1b`, `\u2028`), so a field stays on its line (SPEC §6)
//   safeForTerminal many lines: terminal escape sequences (CSI, OSC, other ESC sequences) are
//                   removed, a lone CR becomes a newline, any other control character is shown
//                   escaped; newlines and tabs stay. Safe to print chunk by chunk: a sequence cut
//                   between two chunks leaves a visible `\x1b` and harmless text, never an ESC.

// C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** One line of text, every control character shown as an escape. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, visible);
}

// ESC [ params intermediates final | ESC ] … (BEL | ESC \) | ESC P/X/^/_ … ESC \ | ESC + one char; and the C1 CSI form.
const SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[PX^_][^\u001b]*\u001b\\|\u001b[ -~]/g;
// Control characters other than newline and tab.
const OTHER_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Multi-line output made safe for a terminal: escape sequences removed, other controls shown escaped. */
export function safeForTerminal(text: string): string {
  return text.replace(SEQUENCE, "").replace(/\r\n/g, "\n").replace(/\r/g, "\n").replace(OTHER_CONTROL, visible);
}
