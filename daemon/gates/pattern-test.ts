// A `contains` check runs a plan's regular expression over a file an agent wrote. JavaScript
// regexps backtrack: `^(a+)+$` against forty a's and a b runs for ages, and on the event loop that
// would stop the whole daemon. So the test runs in a worker (inline code, nothing to bundle) that
// is terminated at a time limit; the check then fails saying so.

/** How long one pattern may run over one file. */
export const PATTERN_TIME_LIMIT_MS = 10_000;

// A pattern that is not a valid RegExp is searched for literally, as before.
const WORKER_CODE = `
self.onmessage = (e) => {
  const { pattern, text } = e.data;
  let re;
  try { re = new RegExp(pattern, "m"); } catch { re = new RegExp(pattern.replace(/[.*+?^\${}()|[\\]\\\\]/g, "\\\\$&"), "m"); }
  postMessage(re.test(text));
};`;

let workerUrl: string | null = null;

export type PatternResult = { kind: "done"; found: boolean } | { kind: "timeout" } | { kind: "error"; message: string };

/** Does `pattern` (multiline) match somewhere in `text`? Off the event loop, within `limitMs`. */
export function testPattern(pattern: string, text: string, limitMs = PATTERN_TIME_LIMIT_MS): Promise<PatternResult> {
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_CODE], { type: "application/javascript" }));
  const worker = new Worker(workerUrl);
  return new Promise((resolve) => {
    const finish = (r: PatternResult) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ kind: "timeout" }), limitMs);
    worker.onmessage = (e: MessageEvent<boolean>) => finish({ kind: "done", found: e.data === true });
    worker.onerror = (e: ErrorEvent) => finish({ kind: "error", message: e.message });
    worker.postMessage({ pattern, text });
  });
}
