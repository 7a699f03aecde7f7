// JSON-RPC ids must come back exactly as sent (SPEC §8). JSON.parse turns a large integer id into a
// float (123456789012345678901234567890 → 1.2345678901234568e+29), so a numeric id is echoed as the
// very token the client wrote, found by a linear scan of the (already valid) request's top level.

/** A numeric id as its original token; wire.ts writes the token back byte for byte. */
export class RawNumberId {
  constructor(readonly token: string) {}
}

/** The raw text of the top-level "id" member of a valid JSON object text (the last one, as JSON.parse does), or null. */
export function rawIdToken(text: string): string | null {
  let i = skipWs(text, 0);
  if (text[i] !== "{") return null;
  i++;
  let found: string | null = null;
  for (;;) {
    i = skipWs(text, i);
    if (text[i] === "}") return found;
    if (text[i] !== '"') return null;
    const keyEnd = stringEnd(text, i);
    const key = text.slice(i, keyEnd);
    i = skipWs(text, keyEnd);
    if (text[i] !== ":") return null;
    i = skipWs(text, i + 1);
    const valueEnd = valueEndAt(text, i);
    if (key === '"id"' || (key.includes("\\") && JSON.parse(key) === "id")) found = text.slice(i, valueEnd);
    i = skipWs(text, valueEnd);
    if (text[i] === ",") i++;
    else return text[i] === "}" ? found : null;
  }
}

function skipWs(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  return i;
}

// Index just past the string starting at `i` (which is a `"`).
function stringEnd(text: string, i: number): number {
  for (let k = i + 1; k < text.length; k++) {
    if (text[k] === "\\") k++;
    else if (text[k] === '"') return k + 1;
  }
  return text.length;
}

// Index just past the JSON value starting at `i`.
function valueEndAt(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let k = i; k < text.length; k++) {
      const d = text[k];
      if (d === '"') k = stringEnd(text, k) - 1;
      else if (d === "{" || d === "[") depth++;
      else if ((d === "}" || d === "]") && --depth === 0) return k + 1;
    }
    return text.length;
  }
  let k = i;
  while (k < text.length && !",}] \t\r\n".includes(text[k]!)) k++;
  return k;
}
