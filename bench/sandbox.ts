// Benchmark of the sandbox (daemon/sandbox/): the start-up cost of one sandboxed process (a fresh
// copy-on-write view, unshare + mount + bubblewrap, `true`, then reading its empty changeset), and
// the time to read, check and apply a changeset of 1, 100 and 1,000 files on a 10,000-file project
// (half new files, half edits, the changes made by a real process in the view). Medians of runs.
// Targets (issue 10): start-up under 50 ms; a 100-file changeset applied under 100 ms.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyChanges } from "../daemon/sandbox/apply.ts";
import { checkChanges } from "../daemon/sandbox/check.ts";
import { detectSandbox } from "../daemon/sandbox/detect.ts";
import { View } from "../daemon/sandbox/view.ts";

const FILES = Number(process.env.SANDBOX_BENCH_FILES ?? 10_000);
const STARTS = 20;
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const base = mkdtempSync(join(tmpdir(), "purple-bench-sandbox-"));
try {
  const t0 = performance.now();
  const detected = detectSandbox(join(base, "probe"));
  const detectMs = performance.now() - t0;
  if (!detected.tools) {
    console.log(`sandbox: not available here (${detected.info.detail}); nothing to measure`);
    process.exit(0);
  }
  const tools = detected.tools;
  const root = join(base, "project");
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `d${i % 10}`, `s${Math.floor(i / 10) % 10}`);
    if (i < 100) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.ts`), `export const v${i} = ${i};\n// ${"x".repeat(200)}\n`);
  }
  const setup = { tools, root, scratch: join(base, "scratch"), hide: [], readOnly: [] };
  const env = { PATH: "/usr/bin:/bin" };

  const starts: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const s = performance.now();
    const view = View.open(setup);
    const { cmd, env: e } = view.wrap(["true"], env, root);
    const r = Bun.spawnSync(cmd, { env: e });
    if (r.exitCode !== 0) throw new Error(`sandboxed true failed: ${r.stderr.toString()}`);
    view.changes();
    view.dispose();
    starts.push(performance.now() - s);
  }
  console.log(`sandbox (${detected.info.detail}): detection ${fmt(detectMs)}; start-up per attempt (view + unshare + mount + bwrap + true + empty changeset), median of ${STARTS}: ${fmt(median(starts))} (target < 50 ms)`);

  for (const n of [1, 100, 1000]) {
    const scanMs: number[] = [];
    const applyMs: number[] = [];
    const quickMs: number[] = [];
    for (let run = 0; run < 2 * RUNS; run++) {
      const durable = run % 2 === 0;
      const view = View.open(setup);
      // half edits of existing files in d0/, half new files in d0/new<run>/
      const script = `mkdir -p d0/new${run}; for i in $(seq 0 ${n - 1}); do if [ $((i % 2)) = 0 ]; then j=$((i / 2)); echo edit$i >> d0/s$((j % 10))/f$((j * 10)).ts; else echo new$i > d0/new${run}/n$i.ts; fi; done`;
      const { cmd, env: e } = view.wrap(["bash", "-c", script], env, root);
      const r = Bun.spawnSync(cmd, { env: e });
      if (r.exitCode !== 0) throw new Error(`the writer failed: ${r.stderr.toString()}`);
      const s = performance.now();
      const changes = view.changes();
      const refused = checkChanges(changes, ["d0/"]);
      const checked = performance.now();
      if (refused.length) throw new Error(`refused: ${refused[0]!.reason}`);
      applyChanges(changes, view.upper, root, { durable });
      const applied = performance.now();
      view.dispose();
      if (changes.length < n * 0.9) throw new Error(`only ${changes.length} changes for ${n}`);
      scanMs.push(checked - s);
      (durable ? applyMs : quickMs).push(applied - s);
    }
    console.log(
      `changeset of ${n} file(s) on a ${FILES}-file project: read + check ${fmt(median(scanMs))}; read + check + apply ${fmt(median(applyMs))}` +
        ` (of which the syncfs flush ~${fmt(Math.max(0, median(applyMs) - median(quickMs)))})${n === 100 ? " (target < 100 ms)" : ""}`,
    );
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
