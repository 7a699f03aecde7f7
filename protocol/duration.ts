// Durations in plans are written as "90s", "20m", "1h30m", "500ms" or a bare number of seconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const DURATION_PATTERN = /^(\d+(\.\d+)?(ms|s|m|h))+$|^\d+(\.\d+)?$/;

/** Milliseconds of a duration string; throws on anything DURATION_PATTERN rejects. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (!DURATION_PATTERN.test(s)) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 90s, 20m, 1h30m)`);
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}
