// The run state of one plan and the only functions allowed to change it.
//
// Plan:  received → queued → running → succeeded | failed | blocked | cancelled
//        received → awaiting-approval → queued;  running ⇄ paused (a gate under way may still block it);
//        blocked → running (its gate runs again);  failed → running (an agent is retried)
// Wave:  pending → running → validating → passed | blocked;  running → failed
// Agent: queued → running → (validating →) completed
//        running/validating → queued (a failed attempt with retries left) | failed | cancelled | interrupted
//        running/validating → blocked (it needs a person: its budget ran out; a judge check among
//        its contract checks spends while it validates)
//        interrupted → queued (it runs again, as a new attempt);  failed/blocked/cancelled → queued (a person retries it)
//        completed → queued only through requeueCompleted: a repair round after its gate failed, or a
//        person's retry of a plan its gate blocked (never through setAgentState)
//        blocked → validating only through recheckContracts: a person's override of a contract check
//        marks the owner for a recheck, and decide grants it a slot (a `recheck-contracts` step)
// An illegal move throws: it is a bug in the caller, never something to paper over.
import { TERMINAL_AGENT_STATES, TERMINAL_PLAN_STATES, type AgentState, type CancelCause, type PlanState, type StatusBar, type StopCause, type WaveState } from "../../protocol/index.ts";
import type { PlanIndex } from "./plan-index.ts";

export interface AgentRunState {
  id: string;
  /** where it sits in the plan: its wave's index and its position in that wave (fixed) */
  waveIndex: number;
  pos: number;
  state: AgentState;
  attempt: number;
  /** earliest time (ms epoch) a queued agent may start again after a failed attempt */
  notBefore: number;
  reason: string | null;
  startedAt: number | null;
  completedAt: number | null;
  /** a stop was asked of it while it ran, and by whom: decides how the attempt ends */
  stop: StopCause | null;
  /** why it is cancelled (state cancelled only) */
  cancelledBy: CancelCause | null;
  /** money its attempts have spent, against its own and the plan's budget */
  spentUsd: number;
  /** what keeps it from going on, as it or the daemon said (newest last) */
  blockers: string[];
  /** its progress notes (newest last, at most 100) */
  notes: string[];
  /** what a person said when retrying it (`retry --note`), added to its prompt (newest last) */
  guidance: string[];
  /** its latest attempt started speculatively, while the previous wave's gate ran (core/speculate.ts) */
  speculative: boolean;
  /** a speculative attempt of it was discarded: it waits for the gate now, not speculating again */
  waitGate: boolean;
  /**
   * blocked by its contract's breaker, some of whose checks a person then passed (`approve --override`):
   * it waits for decide to grant it a slot like a start, then its contract checks run again (cleared by any move)
   */
  recheck: boolean;
  /** the failed check its current repair round must fix (repair.ts), added to its prompt; null otherwise */
  repair: string | null;
  /** attempts started by repair rounds: they do not use up its retries */
  repairAttempts: number;
}

/** Repair rounds spent on one gate (`gate:<wave>`) or contract (`contract:<id>`). */
export interface RepairRecord {
  rounds: number;
  /** what the failure that started the last round looked like (same again: the breaker trips) */
  fingerprint: string;
}

/** The circuit breaker that stopped the plan: which gate or contract, and why it tripped. */
export interface Breaker {
  subject: string;
  why: string;
}

export interface WaveRunState {
  id: string;
  state: WaveState;
}

export interface PlanRunState {
  name: string;
  state: PlanState;
  reason: string | null;
  /** index of the wave under way (waves.length once all passed) */
  waveIndex: number;
  waves: WaveRunState[];
  agents: Map<string, AgentRunState>;
  /** ids of agents in state running or validating */
  running: Set<string>;
  startedAt: number | null;
  completedAt: number | null;
  /** waves whose manual gate checks a person approved */
  approvedWaves: string[];
  /** gate checks a person passed by decision (`approve --override`), as `<wave>#<index>` */
  overrides: string[];
  /** repair rounds spent, by subject (`gate:<wave>`, `contract:<id>`) */
  repairs: Map<string, RepairRecord>;
  /** set while the plan is blocked by a tripped circuit breaker */
  breaker: Breaker | null;
  /** the Purple status bar, as agents set it */
  statusBar: StatusBar | null;
  /** per wave, counts kept by setAgentState so decide need not scan a wave on every call (derived; see retally) */
  tally: WaveTally[];
}

export interface WaveTally {
  completed: number;
  /** agents failed, cancelled or blocked: the wave cannot pass as it stands */
  trouble: number;
  /** no agent before this position of the wave is queued */
  firstQueued: number;
}

const PLAN_MOVES: Record<PlanState, readonly PlanState[]> = {
  received: ["awaiting-approval", "queued", "failed", "cancelled"],
  "awaiting-approval": ["queued", "cancelled"],
  queued: ["running", "paused", "cancelled"],
  running: ["succeeded", "failed", "blocked", "cancelled", "paused"],
  paused: ["running", "queued", "cancelled", "blocked"],
  blocked: ["running", "cancelled"],
  failed: ["running", "cancelled"],
  succeeded: [],
  cancelled: [],
};

const WAVE_MOVES: Record<WaveState, readonly WaveState[]> = {
  pending: ["running"],
  running: ["validating", "passed", "failed"],
  validating: ["passed", "blocked", "running"],
  passed: [],
  failed: ["running"],
  blocked: ["validating", "running"],
};

const AGENT_MOVES: Record<AgentState, readonly AgentState[]> = {
  queued: ["running", "cancelled", "blocked"],
  running: ["validating", "completed", "failed", "queued", "cancelled", "interrupted", "blocked"],
  validating: ["completed", "failed", "queued", "cancelled", "interrupted", "blocked"],
  completed: [],
  failed: ["queued"],
  blocked: ["queued"],
  cancelled: ["queued"],
  interrupted: ["queued"],
};

/** A state change that happened, for the status writer and the journal. */
export type Transition =
  | { kind: "plan"; from: PlanState; to: PlanState; reason: string | null }
  | { kind: "wave"; wave: string; from: WaveState; to: WaveState }
  | { kind: "agent"; agent: string; from: AgentState; to: AgentState; attempt: number; reason: string | null; running: number; speculative?: true }
  /** a repair round started: the agents responsible run again with the failure in their prompt */
  | { kind: "repair"; subject: string; round: number; of: number; agents: string[]; checks: string[] };

export class IllegalTransition extends Error {}

/** A fresh run: every wave pending, every agent queued at attempt 0. */
export function initialRunState(index: PlanIndex): PlanRunState {
  const agents = new Map<string, AgentRunState>();
  index.waves.forEach((w, waveIndex) => w.agents.forEach((a, pos) => agents.set(a.id, newAgentRunState(a.id, waveIndex, pos))));
  return {
    name: index.plan.name,
    state: "received",
    reason: null,
    waveIndex: 0,
    waves: index.waves.map((w) => ({ id: w.id, state: "pending" })),
    agents,
    running: new Set(),
    startedAt: null,
    completedAt: null,
    approvedWaves: [],
    overrides: [],
    repairs: new Map(),
    breaker: null,
    statusBar: null,
    tally: index.waves.map(() => ({ completed: 0, trouble: 0, firstQueued: 0 })),
  };
}

const TROUBLE: readonly AgentState[] = ["failed", "cancelled", "blocked"];
const ACTIVE: readonly AgentState[] = ["running", "validating"];

/** Recount the tallies from the agents' states (after a state was set other than through setAgentState, e.g. decoded). */
export function retally(run: PlanRunState): void {
  for (const t of run.tally) Object.assign(t, { completed: 0, trouble: 0, firstQueued: 0 });
  for (const a of run.agents.values()) {
    const t = run.tally[a.waveIndex]!;
    if (a.state === "completed") t.completed++;
    if (TROUBLE.includes(a.state)) t.trouble++;
  }
}

/** An agent that has not run yet. */
export function newAgentRunState(id: string, waveIndex: number, pos: number): AgentRunState {
  return { id, waveIndex, pos, state: "queued", attempt: 0, notBefore: 0, reason: null, startedAt: null, completedAt: null, stop: null, cancelledBy: null, spentUsd: 0, blockers: [], notes: [], guidance: [], speculative: false, waitGate: false, recheck: false, repair: null, repairAttempts: 0 };
}

interface Times {
  startedAt: number | null;
  completedAt: number | null;
}

/** A plan reaching `to`: its first start, and its end when `to` is terminal (shared with journal replay). */
export function stampPlanTimes(t: Times, to: PlanState, now: number): void {
  if (to === "running" && t.startedAt === null) t.startedAt = now;
  t.completedAt = TERMINAL_PLAN_STATES.includes(to) ? now : null;
}

/** An agent reaching `to`: each start, and its end when `to` is terminal (shared with journal replay). */
export function stampAgentTimes(t: Times, to: AgentState, now: number): void {
  if (to === "running") {
    t.startedAt = now;
    t.completedAt = null;
  }
  if (TERMINAL_AGENT_STATES.includes(to)) t.completedAt = now;
}

/** Move the plan; refuses moves the state machine above does not allow. */
export function setPlanState(run: PlanRunState, to: PlanState, reason: string | null, now: number): Transition {
  const from = run.state;
  if (!PLAN_MOVES[from].includes(to)) throw new IllegalTransition(`plan ${run.name}: ${from} → ${to} is not allowed`);
  run.state = to;
  run.reason = reason;
  if (from === "blocked") run.breaker = null; // a tripped breaker is shown only while it holds the plan
  stampPlanTimes(run, to, now);
  return { kind: "plan", from, to, reason };
}

/** Move a wave; refuses illegal moves. */
export function setWaveState(run: PlanRunState, waveIndex: number, to: WaveState): Transition {
  const wave = run.waves[waveIndex];
  if (!wave) throw new IllegalTransition(`plan ${run.name}: no wave #${waveIndex}`);
  const from = wave.state;
  if (!WAVE_MOVES[from].includes(to)) throw new IllegalTransition(`wave ${wave.id}: ${from} → ${to} is not allowed`);
  wave.state = to;
  return { kind: "wave", wave: wave.id, from, to };
}

/** Move an agent; keeps `running`, attempts and timestamps consistent; refuses illegal moves. */
export function setAgentState(run: PlanRunState, id: string, to: AgentState, reason: string | null, now: number): Transition {
  const agent = run.agents.get(id);
  if (!agent) throw new IllegalTransition(`plan ${run.name}: no agent ${id}`);
  if (!AGENT_MOVES[agent.state].includes(to)) throw new IllegalTransition(`agent ${id}: ${agent.state} → ${to} is not allowed`);
  return moveAgent(run, id, to, reason, now);
}

/** A completed agent runs again: a repair round after its gate failed, or a person's retry of a plan its gate blocked. */
export function requeueCompleted(run: PlanRunState, id: string, reason: string, now: number): Transition {
  const agent = run.agents.get(id);
  if (agent?.state !== "completed") throw new IllegalTransition(`agent ${id}: only a completed agent is requeued for a repair (it is ${agent?.state ?? "unknown"})`);
  agent.notBefore = 0;
  return moveAgent(run, id, "queued", reason, now);
}

/** A contract owner its breaker blocked has its contract checks run again (a person passed some by decision). */
export function recheckContracts(run: PlanRunState, id: string, reason: string, now: number): Transition {
  const agent = run.agents.get(id);
  if (agent?.state !== "blocked" || !agent.recheck) throw new IllegalTransition(`agent ${id}: only a blocked contract owner a person's override marked has its contracts checked again (it is ${agent?.state ?? "unknown"}${agent?.recheck === false ? ", not marked" : ""})`);
  return moveAgent(run, id, "validating", reason, now);
}

function moveAgent(run: PlanRunState, id: string, to: AgentState, reason: string | null, now: number): Transition {
  const agent = run.agents.get(id)!;
  const from = agent.state;
  agent.state = to;
  agent.reason = reason;
  const tally = run.tally[agent.waveIndex]!;
  if (from === "completed") tally.completed--;
  if (to === "completed") tally.completed++;
  if (TROUBLE.includes(from)) tally.trouble--;
  if (TROUBLE.includes(to)) tally.trouble++;
  if (to === "queued" && agent.pos < tally.firstQueued) tally.firstQueued = agent.pos;
  if (to === "running") agent.attempt += 1;
  if (to !== "running" && to !== "validating") agent.stop = null;
  if (to !== "cancelled") agent.cancelledBy = null;
  if (to === "completed") agent.repair = null;
  agent.recheck = false;
  stampAgentTimes(agent, to, now);
  if (to === "running" || to === "validating") run.running.add(id);
  else run.running.delete(id);
  const t: Extract<Transition, { kind: "agent" }> = { kind: "agent", agent: id, from, to, attempt: agent.attempt, reason, running: run.running.size };
  // A speculative attempt says so in each of its moves (started, held, discarded, ended).
  if (agent.speculative && (ACTIVE.includes(from) || ACTIVE.includes(to))) t.speculative = true;
  return t;
}
