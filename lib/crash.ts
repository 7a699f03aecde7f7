// Test-only crash points: PURPLED_CRASH_AT=<name> (or <name>:<n> for the n-th time it is reached)
// makes the process die abruptly there, with SIGKILL — no finally, no flush, as a power cut would.
const spec = process.env.PURPLED_CRASH_AT ?? "";
const [target, nth] = spec.split(":");
let hits = 0;

/** Die here if this is the crash point the environment names. */
export function crashPoint(name: string): void {
  if (!target || name !== target) return;
  hits += 1;
  if (hits >= Number(nth ?? 1)) process.kill(process.pid, "SIGKILL");
}
