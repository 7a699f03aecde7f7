// npm run build: purpled and purplectl as standalone binaries in dist/ (bun build --compile,
// bytecode, ESM), then each one's size. The logger writes with pino.destination, no transport
// (transports fail inside compiled binaries: BUN-NOTES), so the daemon logs the same compiled.
import { statSync } from "node:fs";
import { join } from "node:path";

const REPO = join(import.meta.dir, "..");
const TARGETS = [
  { entry: "daemon/main.ts", out: "dist/purpled" },
  { entry: "ctl/main.ts", out: "dist/purplectl" },
];

/** Compile one entry point; false when bun build failed (its output is already on the terminal). */
function compile(entry: string, out: string): boolean {
  const r = Bun.spawnSync([process.execPath, "build", "--compile", "--bytecode", "--format=esm", entry, "--outfile", out], { cwd: REPO, stdout: "inherit", stderr: "inherit" });
  return r.exitCode === 0;
}

let failed = 0;
for (const t of TARGETS) {
  const started = performance.now();
  if (!compile(t.entry, t.out)) {
    console.error(`build: ${t.entry} failed`);
    failed++;
    continue;
  }
  const mb = statSync(join(REPO, t.out)).size / 1024 / 1024;
  console.log(`${t.out.padEnd(16)} ${mb.toFixed(1).padStart(6)} MB  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(failed ? 1 : 0);
