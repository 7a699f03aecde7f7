// Soak: 100 plans of 10 command agents (maxAgents 4) while purpled is killed with SIGKILL at
// random every few seconds and started again, until every plan has ended. Then, from the events
// and the agents' own output: every agent ended exactly once in a terminal state, none ran again
// after completing, never more than 4 ran at once, never two with overlapping territories, no
// process was left behind, and memory stayed flat. Prints the counts; exits 1 if any check fails.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { processRunning } from "../test/support/procs.ts";
import { territoryOf, TERMINAL_AGENT_STATES, TERMINAL_PLAN_STATES, type PlanEvent, type PlanInput } from "../protocol/index.ts";

const PLANS = Number(process.env.SOAK_PLANS ?? 100);
const AGENTS = 10;
const MAX = 4;
const REPO = join(import.meta.dir, "..");
const root = mkdtempSync(join(tmpdir(), "purple-soak-"));
const out = mkdtempSync(join(tmpdir(), "purple-soak-out-")); // the agents' own output, outside the root
const O = join(root, ".context-kit", "orchestration");
Bun.spawnSync(["git", "init", "-q", "-b", "main"], { cwd: root });
mkdirSync(join(O, "inbox"), { recursive: true });

const territory = (p: number, i: number) => (i === 1 ? [`out/p${p}/shared/x.txt`] : i === 0 ? [`out/p${p}/shared/`] : [`out/p${p}/a${i}/`]);
for (let p = 0; p < PLANS; p++) {
  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name: `soak-${p}`,
    maxAgents: MAX,
    defaults: { runner: "command", retries: 0, timeout: "1m" },
    agents: Array.from({ length: AGENTS }, (_, i) => ({
      id: `a${i}`,
      territory: territory(p, i),
      ...(i === 1 ? { dependsOn: ["a0"] } : {}), // a0 and a1 overlap: they must never run together
      runner: {
        kind: "command" as const,
        command: ["bash", "-c", `echo "start $PURPLE_PLAN $PURPLE_AGENT $$ $(date +%s%3N)" >> ${out}/log; sleep 0.$((RANDOM % 4 + 1)); echo "end $PURPLE_PLAN $PURPLE_AGENT $$ $(date +%s%3N)" >> ${out}/log`],
      },
    })),
    waves: [{ id: "w1", agents: ["a0", "a1", "a2", "a3", "a4"] }, { id: "w2", agents: ["a5", "a6", "a7", "a8", "a9"] }],
  };
  writeFileSync(join(out, `soak-${p}.yaml`), YAML.stringify(plan));
}
for (let p = 0; p < PLANS; p++) renameSync(join(out, `soak-${p}.yaml`), join(O, "inbox", `soak-${p}.yaml`)); // dropped at once

const ended = () => {
  let n = 0;
  for (let p = 0; p < PLANS; p++) {
    try {
      if (TERMINAL_PLAN_STATES.includes(JSON.parse(readFileSync(join(O, `soak-${p}`, "status.json"), "utf8")).state)) n++;
    } catch {}
  }
  return n;
};

const rss: number[][] = [];
let kills = 0;
const started = Date.now();
for (let incarnation = 0; ended() < PLANS; incarnation++) {
  const d = Bun.spawn([process.execPath, join(REPO, "daemon", "main.ts"), "--root", root, "--max-agents", String(MAX), "--log-level", "warn", "--rescan", "1s"], { stdout: "ignore", stderr: "ignore" });
  const samples: number[] = [];
  rss.push(samples);
  const lifetime = 2_000 + Math.random() * 3_000;
  const until = Date.now() + lifetime;
  while (Date.now() < until && ended() < PLANS && d.exitCode === null) {
    await Bun.sleep(250);
    samples.push(vmRss(d.pid));
  }
  if (ended() < PLANS) {
    d.kill("SIGKILL");
    kills++;
  } else d.kill("SIGTERM");
  await d.exited;
  process.stdout.write(`\rsoak: ${ended()}/${PLANS} plans ended, ${kills} SIGKILLs, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (Date.now() - started > 15 * 60_000) throw new Error("soak: not finished after 15 minutes");
}
console.log();

// --- checks -----------------------------------------------------------------------------------
const events: PlanEvent[] = [];
for (let p = 0; p < PLANS; p++) for (const line of readFileSync(join(O, `soak-${p}`, "events.jsonl"), "utf8").split("\n")) if (line) events.push(JSON.parse(line));
// Plans' events interleave by time; within one millisecond their order across plans is unknown,
// so there an agent stopping is counted before another starting (within a plan, seq decides).
const stops = (e: PlanEvent) => (e.type === "agent.state" && e.to !== "running" && e.to !== "validating" ? 0 : 1);
events.sort((a, b) => a.ts.localeCompare(b.ts) || (a.plan === b.plan ? a.seq - b.seq : stops(a) - stops(b)));

let terminalOnce = 0, terminalWrong = 0, rerunAfterComplete = 0, maxRunning = 0, overlapping = 0;
const terminals = new Map<string, number>();
const completedAt = new Map<string, string>();
const running = new Map<string, string[]>(); // plan → running agents
let runningTotal = 0;
for (const e of events) {
  if (e.type !== "agent.state") continue;
  const key = `${e.plan}/${e.agent}`;
  if (TERMINAL_AGENT_STATES.includes(e.to)) terminals.set(key, (terminals.get(key) ?? 0) + 1);
  if (e.to === "completed") completedAt.set(key, e.ts);
  if (e.to === "running" && completedAt.has(key)) rerunAfterComplete++;
  const list = running.get(e.plan) ?? [];
  const was = list.includes(e.agent);
  const now = e.to === "running" || e.to === "validating";
  if (now && !was) {
    const p = Number(e.plan.slice(5));
    const mine = territoryOf(territory(p, Number(e.agent.slice(1))));
    if (list.some((other) => territoryOf(territory(p, Number(other.slice(1)))).overlaps(mine))) overlapping++;
    list.push(e.agent);
    runningTotal++;
  } else if (!now && was) {
    list.splice(list.indexOf(e.agent), 1);
    runningTotal--;
  }
  running.set(e.plan, list);
  maxRunning = Math.max(maxRunning, runningTotal);
}
for (let p = 0; p < PLANS; p++) for (let i = 0; i < AGENTS; i++) (terminals.get(`soak-${p}/a${i}`) === 1 ? terminalOnce++ : terminalWrong++);

// From the agents' own output: no run started after its agent completed; no process left.
const log = readFileSync(join(out, "log"), "utf8").split("\n").filter(Boolean).map((l) => l.split(" "));
let startedAfterComplete = 0;
for (const [kind, plan, agent, , at] of log) {
  const done = completedAt.get(`${plan}/${agent}`);
  if (kind === "start" && done && Number(at) > Date.parse(done)) startedAfterComplete++;
}
const pids = [...new Set(log.map((l) => Number(l[3])))];
const orphans = pids.filter(processRunning).length;
const states = readdirSync(O).filter((n) => n.startsWith("soak-")).map((n) => JSON.parse(readFileSync(join(O, n, "status.json"), "utf8")).state);
const mb = (kb: number) => (kb / 1024).toFixed(0);
const firstMax = Math.max(...rss[0]!.filter(Boolean)), lastMax = Math.max(...rss.flatMap((s) => s.slice(-4)).filter(Boolean));
console.log(`soak: ${PLANS} plans × ${AGENTS} agents, maxAgents ${MAX}; purpled SIGKILLed ${kills} times over ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`  plans succeeded: ${states.filter((s) => s === "succeeded").length}/${PLANS}`);
console.log(`  agents ended exactly once in a terminal state: ${terminalOnce}/${PLANS * AGENTS} (wrong: ${terminalWrong})`);
console.log(`  agents run again after completing: ${rerunAfterComplete} (events), ${startedAfterComplete} (their own output)`);
console.log(`  most agents running at once: ${maxRunning} (limit ${MAX}); overlapping territories running together: ${overlapping}`);
console.log(`  agent runs: ${log.filter((l) => l[0] === "start").length} started for ${PLANS * AGENTS} agents; processes left running: ${orphans} of ${pids.length}`);
console.log(`  purpled RSS: first run peak ${mb(firstMax)} MB, last runs' peak ${mb(lastMax)} MB, highest ${mb(Math.max(...rss.flat()))} MB`);
const ok = terminalWrong === 0 && rerunAfterComplete === 0 && startedAfterComplete === 0 && maxRunning <= MAX && overlapping === 0 && orphans === 0;
console.log(ok ? "soak: every check passed" : "soak: CHECKS FAILED");
process.exit(ok ? 0 : 1);

function vmRss(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

