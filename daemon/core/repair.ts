// Repair rounds and the circuit breaker (SPEC §4 `repair:`). When a gate or contract check fails
// and the plan's rounds for that gate or contract are not spent, the agents responsible run again
// with the failure in their prompt, then the checks run again. The rounds spent, or a round that
// fails exactly as the failure before it, trip the breaker: the plan blocks for a person.
// Who is responsible, per failed check: the contract's owner; else the wave's agents whose
// territory holds a file the failure names (the check's target, a judge's files, paths in its
// output); else every agent of the wave. A wave with no agents (a gate-only wave) has nobody to
// repair it: its breaker trips at once. Pure: every decision here is replayed from the journal.
import { REPAIR_ROUNDS, type CheckFailure, type GateCheck, type StepOf } from "../../protocol/index.ts";
import type { PlanIndex } from "./plan-index.ts";
import { requeueCompleted, setAgentState, setPlanState, setWaveState, type PlanRunState, type Transition } from "./state.ts";

/** The plan's repair rounds per gate or contract. */
export const repairRounds = (index: PlanIndex): number => index.plan.repair?.rounds ?? REPAIR_ROUNDS;

/** Output kept per failure in an agent's repair brief. */
const BRIEF_OUTPUT_CHARS = 3_000;
/** Paths looked for in one failure's output and reasons. */
const MAX_NAMED = 200;

/**
 * The wave's gate failed: a repair round (the wave runs again, its responsible agents queued with
 * the failure) or the plan blocked. Only a person's check (manual) failing, or a step journaled
 * before repair rounds existed (no failures), blocks at once without tripping the breaker.
 */
export function gateFailed(index: PlanIndex, run: PlanRunState, e: StepOf<"gate-ended">, now: number): Transition[] {
  const wave = index.waves[run.waveIndex]!;
  const subject = `gate:${wave.id}`;
  const failures = (e.failures ?? []).filter((f) => f.kind !== "manual");
  const block = (why: string | null): Transition[] => {
    if (why) run.breaker = { subject, why };
    return [setWaveState(run, run.waveIndex, "blocked"), setPlanState(run, "blocked", `gate of wave ${wave.id} failed: ${e.summary}${why ? `; ${why}` : ""}`, now)];
  };
  if (failures.length === 0) return block(null);
  // A gate-only wave (no agents): nobody of the wave can repair it, so the breaker trips at once.
  const agents = responsible(index, run.waveIndex, failures);
  if (agents.length === 0) return block(`circuit breaker: no agent of wave ${wave.id} can repair it (the wave has no agents)`);
  const weighed = weigh(index, run, subject, failures);
  if ("trip" in weighed) return block(weighed.trip);
  record(run, subject, weighed);
  const checks = failures.map((f) => f.check);
  const brief = briefOf(`the gate of wave ${wave.id}`, weighed.round, repairRounds(index), failures);
  const out: Transition[] = [{ kind: "repair", subject, round: weighed.round, of: repairRounds(index), agents, checks }, setWaveState(run, run.waveIndex, "running")];
  for (const id of agents) {
    const st = run.agents.get(id)!;
    st.repair = brief;
    st.repairAttempts += 1;
    out.push(requeueCompleted(run, id, `repair round ${weighed.round} of ${repairRounds(index)}: gate check ${checks.join(", ")} failed`, now));
  }
  return out;
}

/**
 * Contracts an agent owns failed their checks: the owner runs again with the failures (a repair
 * round for each failed contract), or, once a contract's breaker trips, the owner is blocked and
 * with it the plan.
 */
export function contractsFailed(index: PlanIndex, run: PlanRunState, e: StepOf<"contracts-checked">, now: number): Transition[] {
  const failures = e.failures ?? {};
  const weighed = e.failed.map((id) => ({ id, list: failures[id] ?? [], w: weigh(index, run, `contract:${id}`, failures[id] ?? []) }));
  const tripped = weighed.find((x) => "trip" in x.w);
  if (tripped && "trip" in tripped.w) {
    run.breaker = { subject: `contract:${tripped.id}`, why: tripped.w.trip };
    const checks = tripped.list.map((f) => f.check).join(", ") || tripped.id;
    return [setAgentState(run, e.agent, "blocked", `contract ${tripped.id} failed its checks (${checks}); ${tripped.w.trip}`, now)];
  }
  const of = repairRounds(index);
  const out: Transition[] = [];
  const briefs: string[] = [];
  for (const { id, list, w } of weighed) {
    if ("trip" in w) continue; // cannot happen: none tripped (above)
    record(run, `contract:${id}`, w);
    out.push({ kind: "repair", subject: `contract:${id}`, round: w.round, of, agents: [e.agent], checks: list.map((f) => f.check) });
    briefs.push(briefOf(`contract ${id}, which you own,`, w.round, of, list));
  }
  const st = run.agents.get(e.agent)!;
  st.repair = briefs.join("\n\n");
  st.repairAttempts += 1;
  st.notBefore = 0;
  out.push(setAgentState(run, e.agent, "queued", `repair round for contract ${e.failed.join(", ")}: its checks failed`, now));
  return out;
}

interface Round {
  round: number;
  fingerprint: string;
}

/** Whether a failure starts a repair round (which one) or trips the breaker (why); changes nothing (record() keeps a round started). */
function weigh(index: PlanIndex, run: PlanRunState, subject: string, failures: readonly CheckFailure[]): Round | { trip: string } {
  const limit = repairRounds(index);
  const rec = run.repairs.get(subject) ?? { rounds: 0, fingerprint: "" };
  const fingerprint = fingerprintOf(failures);
  if (rec.rounds >= limit) return { trip: limit === 0 ? "circuit breaker: no repair rounds (repair.rounds is 0)" : `circuit breaker: ${limit} repair round${limit === 1 ? "" : "s"} spent` };
  if (rec.rounds > 0 && rec.fingerprint === fingerprint) return { trip: `circuit breaker: repair round ${rec.rounds} failed exactly as the failure before it` };
  return { round: rec.rounds + 1, fingerprint };
}

/** A repair round starts: the subject's rounds and the failure it repairs (the next one is weighed against it). */
function record(run: PlanRunState, subject: string, r: Round): void {
  run.repairs.set(subject, { rounds: r.round, fingerprint: r.fingerprint });
}

/** What makes two failures the same: the checks, their output and a judge's reasons (not timings). */
export function fingerprintOf(failures: readonly CheckFailure[]): string {
  return JSON.stringify([...failures].sort((a, b) => a.check.localeCompare(b.check)).map((f) => [f.check, f.output, f.reasons]));
}

/** The agents of the wave responsible for the failures, in wave order (see the header). */
export function responsible(index: PlanIndex, waveIndex: number, failures: readonly CheckFailure[]): string[] {
  const wave = index.waves[waveIndex]!;
  const inWave = new Set(wave.agents.map((a) => a.id));
  const picked = new Set<string>();
  for (const f of failures) {
    const check = checkOf(index, f.check);
    const contract = check && "contract" in check ? index.plan.contracts.find((c) => c.id === check.contract) : undefined;
    if (contract?.owner && inWave.has(contract.owner)) {
      picked.add(contract.owner);
      continue;
    }
    const files = namedFiles(f, check);
    const holders = wave.agents.filter((a) => files.some((p) => a.territory.covers(p)));
    for (const a of holders.length > 0 ? holders : wave.agents) picked.add(a.id);
  }
  return wave.agents.filter((a) => picked.has(a.id)).map((a) => a.id);
}

/** The gate or contract check a failure's id names (`<wave>#<i>` or `<contract>#<i>`). */
function checkOf(index: PlanIndex, id: string): GateCheck | undefined {
  const at = id.lastIndexOf("#");
  const owner = id.slice(0, at);
  const i = Number(id.slice(at + 1));
  return index.waves.find((w) => w.id === owner)?.gate[i] ?? index.plan.contracts.find((c) => c.id === owner)?.checks[i];
}

/** Root-relative files a failure names: its check's target file, a judge's files, paths in its output and reasons. */
export function namedFiles(f: CheckFailure, check: GateCheck | undefined): string[] {
  const out = new Set<string>();
  if (check && "exists" in check) out.add(check.exists);
  if (check && "contains" in check) out.add(check.contains.file);
  if (check && "exports" in check) out.add(check.exports.file);
  for (const p of f.files) out.add(p);
  for (const p of pathsIn([f.output, ...f.reasons].join("\n"))) {
    if (out.size >= MAX_NAMED) break;
    out.add(p);
  }
  return [...out].map((p) => p.replace(/^\.\//, "")).filter((p) => p && !p.startsWith("/") && !p.split("/").includes(".."));
}

/** Words of a text that look like relative paths (`src/a.ts`, `a.test.ts:12:3`, `(lib/x.js)`). */
export function pathsIn(text: string): string[] {
  const out: string[] = [];
  for (const word of text.split(/[\s'"`<>[\]{}]+/)) {
    if (word.length > 1000 || word.includes("://")) continue;
    const p = word.replace(/^[(]+/, "").replace(/[(:].*$/, "").replace(/[.,;)]+$/, "");
    if (p.includes("/") || /^[\w@-]+(\.[\w-]+)*\.[A-Za-z][\w]{0,7}$/.test(p)) out.push(p);
  }
  return out;
}

/** What an agent is told in a repair round: which checks failed, their output and a reviewer's reasons. */
function briefOf(what: string, round: number, of: number, failures: readonly CheckFailure[]): string {
  const lines = [`Repair round ${round} of ${of}: ${what} failed after your last attempt. Fix what the failed checks below name; they run again when you finish.`];
  for (const f of failures) {
    lines.push(`- ${f.kind} check ${f.check} (${f.target}) failed:`);
    const output = f.output.length > BRIEF_OUTPUT_CHARS ? `…${f.output.slice(-BRIEF_OUTPUT_CHARS)}` : f.output;
    if (output.trim()) lines.push(...output.trimEnd().split("\n").map((l) => `    ${l}`));
    if (f.reasons.length > 0) lines.push("  the reviewer's reasons:", ...f.reasons.map((r) => `    - ${r}`));
    if (f.files.length > 0) lines.push(`  files it names: ${f.files.join(", ")}`);
  }
  return lines.join("\n");
}
