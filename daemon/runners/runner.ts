// The runner boundary: how the engine starts an agent and learns how it ended. Runners never decide order.
import type { Agent, Plan, Usage } from "../../protocol/index.ts";
import type { AttemptSandbox } from "../sandbox/executor.ts";

/** Everything a runner needs to start one attempt of one agent. */
export interface RunContext {
  plan: Plan;
  agent: Agent;
  wave: string;
  attempt: number;
  /** the project root R (absolute) */
  root: string;
  /** O/<plan> (absolute) */
  planDir: string;
  /** O/<plan>/agents/<agent> (absolute); a runner that writes there creates it */
  agentDir: string;
  /** the agent's prompt, already rendered */
  prompt: string;
  /** O/<plan>/status/<agent>.json */
  statusFile: string;
  /** the agent's channel to purple as its processes see it ($PURPLE_SOCKET), or "" when there is none */
  socket: string;
  /** its previous attempt was speculative work that was discarded (engine/speculation.ts): a runner that resumes sessions starts a new one */
  freshSession?: boolean;
  /** the attempt's sandbox: every process a runner starts goes through runners/sandbox.ts `sandboxed()`; null or absent when `sandbox: off` */
  sandbox?: AttemptSandbox | null;
  timeoutMs: number;
  /** time between SIGTERM and SIGKILL when stopping */
  graceMs: number;
  /** how an in-process runner reports tickets, status and spend as it goes */
  reporter: AgentReporter;
}

/**
 * What an agent tells the daemon while it works (the anthropic runner's ticket and status tools;
 * command agents use the purple_* methods over the socket instead). Each call updates the status
 * files at once. `spend` returns false once the agent's or the plan's budget is reached: the
 * runner must then stop and end with outcome "blocked".
 */
export interface AgentReporter {
  startTicket(ticketId: string): void;
  completeTicket(ticketId: string): void;
  status(message: string, percent?: number): void;
  /** add one model turn's usage (tokens and cost); false when a budget is now exhausted */
  spend(turn: Usage): boolean;
  /** project files it changed itself, in process (the anthropic runner's write tools), root-relative */
  changed?(paths: string[]): void;
}

/** finished: exit 0 / the agent said it is done; blocked: it needs a person (a budget ran out). */
export type RunOutcome = "finished" | "failed" | "timeout" | "cancelled" | "blocked";

export interface RunResult {
  outcome: RunOutcome;
  exitCode: number | null;
  signal: string | null;
  /** one line for people: why it ended this way */
  message: string;
  usage?: Usage;
}

/** One attempt under way. `done` never rejects. */
export interface AgentRun {
  /** the process group id when the agent is a process tree (recorded for clean-up after a crash) */
  readonly pgid: number | null;
  readonly done: Promise<RunResult>;
  /** stop it (SIGTERM, grace, SIGKILL for processes); `done` then resolves with outcome "cancelled" */
  cancel(reason: string): void;
}

export interface Runner {
  /**
   * How it writes the project: only through sandbox views (runners/sandbox.ts), whose changes can be
   * held back for a speculative attempt; directly (the anthropic runner's file tools), so it is never
   * started speculatively (core/speculate.ts); or not at all (benchmarks). Absent: directly.
   */
  readonly writes?: "sandboxed" | "direct" | "none";
  start(ctx: RunContext): AgentRun;
}
