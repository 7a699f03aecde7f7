// The names purpled writes inside a plan folder O/<plan>/ (SPEC §3): one list for the code that
// archives a run, skips purpled's own files when copying a folder in or reading a markdown plan,
// and clears planted links.

/** What one run of a plan writes (progress.json aside: in a Purple feature folder it is also a source). */
export const RUN_OUTPUTS = ["status.json", "status", "status-log.md", "events.jsonl", "validation", "agents"] as const;

/** Where earlier runs are kept when a plan runs again. */
export const EARLIER_RUNS = "runs";

/** What purpled writes when it compiles a markdown or Purple folder. */
export const COMPILE_OUTPUTS = ["plan.compiled.yaml", "intake-report.md"] as const;

/** Every name purpled writes at the top of a plan folder: never part of what a person gave it. */
export const PURPLED_NAMES: ReadonlySet<string> = new Set([...RUN_OUTPUTS, EARLIER_RUNS, ...COMPILE_OUTPUTS]);
