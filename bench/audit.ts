// Benchmark of the territory audit on a 10,000-file tree: open, and checkpoints with no change,
// 20 changes inside a territory, and a violation reverted. Prints medians of 5 runs in ms.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TreeAuditor } from "../daemon/territory/audit.ts";

const FILES = Number(process.env.AUDIT_BENCH_FILES ?? 10_000);
const RUNS = 5;
const gitEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };

function git(cwd: string, ...args: string[]): void {
  const r = Bun.spawnSync(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], { cwd, env: gitEnv });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
}

// FILES files spread over d0..d9/s0..s9/, each a few hundred bytes.
function makeTree(root: string): void {
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `d${i % 10}`, `s${Math.floor(i / 10) % 10}`);
    if (i < 100) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.ts`), `export const v${i} = ${i};\n// ${"x".repeat(200)}\n`);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

const territory = { agent: "alpha", territory: ["d0/"] };
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function bench(label: string, root: string): Promise<void> {
  const state = join(root, ".context-kit/orchestration/.purple/audit");
  const [audit, openMs] = await timed(() => TreeAuditor.open(root, state));
  const none: number[] = [], inside: number[] = [], violation: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    none.push((await audit.checkpoint([territory])).durationMs);

    for (let k = 0; k < 20; k++) writeFileSync(join(root, "d0", `s${k % 10}`, `f${k * 10}.ts`), `changed ${run} ${k}\n`);
    const r = await audit.checkpoint([territory]);
    if (r.changes[0]?.paths.length !== 20 || r.violations.length !== 0) throw new Error(`expected 20 attributed changes, got ${JSON.stringify(r)}`);
    inside.push(r.durationMs);

    writeFileSync(join(root, "d5", "s5", "f55.ts"), `defaced ${run}\n`);
    writeFileSync(join(root, "d5", `new-${run}.ts`), "created\n");
    const v = await audit.checkpoint([territory]);
    if (v.violations.length !== 2) throw new Error(`expected 2 violations, got ${JSON.stringify(v.violations)}`);
    violation.push(v.durationMs);
  }
  console.log(`${label}: open ${fmt(openMs)}; checkpoint no change ${fmt(median(none))}, 20 changes in territory ${fmt(median(inside))}, violation reverted ${fmt(median(violation))} (median of ${RUNS})`);
}

const base = mkdtempSync(join(tmpdir(), "purple-bench-audit-"));
try {
  const repo = join(base, "repo");
  mkdirSync(repo);
  makeTree(repo);
  git(repo, "init", "-q");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "bench tree");
  await bench(`git repository, ${FILES} files (index seeded from the user's)`, repo);

  const plain = join(base, "plain");
  mkdirSync(plain);
  makeTree(plain);
  await bench(`plain directory, ${FILES} files (every file hashed at open)`, plain);
} finally {
  rmSync(base, { recursive: true, force: true });
}
