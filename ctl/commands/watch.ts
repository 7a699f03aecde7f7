// `purplectl watch [PLAN]`: live progress until the plan ends, driven by events.subscribe (each
// event triggers a plan.get) plus a slow poll for what sends no event (ticket progress). On a TTY
// the frame is redrawn in place; otherwise each changed line is appended with its time.
import type { Client } from "../client.ts";
import type { Ctx } from "../context.ts";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EXIT, NoDaemonError, RpcCallError, UsageError } from "../errors.ts";
import { orchestrationOf } from "../find-root.ts";
import { formatProblems } from "../problems.ts";
import { rejectionName, type Rejection } from "../../protocol/rpc.ts";
import type { PlanDetail } from "../../protocol/rpc.ts";
import { TERMINAL_PLAN_STATES, type PlanState } from "../../protocol/status.ts";
import { changed, frame, redraw } from "../watch-frame.ts";
import { renderFailure } from "../render.ts";
import { outcomeOf } from "./status.ts";

const POLL_MS = 1000;
/** A plan just handed to plan.submit is accepted by the inbox a moment later: wait this long for it. */
const ACCEPT_WAIT_MS = 15_000;
const isTerminal = (s: PlanState) => TERMINAL_PLAN_STATES.includes(s);

/** Watch a plan until it ends: exit 0 when it succeeded, 1 when it failed, was blocked or cancelled. */
export async function watch(ctx: Ctx, [planArg]: string[]): Promise<number> {
  const client = await ctx.connect();
  const plan = planArg ?? (await pickPlan(client));
  const paint = painter(ctx);
  let finish!: (r: { code: number } | { err: unknown }) => void;
  const ended = new Promise<{ code: number } | { err: unknown }>((r) => (finish = r));

  let busy = false;
  let dirty = false;
  let seen = false;
  let waiting = false;
  const acceptBy = Date.now() + ACCEPT_WAIT_MS;
  const refresh = async (): Promise<void> => {
    if (busy) return void (dirty = true);
    busy = true;
    try {
      do {
        dirty = false;
        const d = await client.call("plan.get", { plan });
        seen = true;
        paint(d);
        if (isTerminal(d.plan.state)) {
          if (d.plan.failure && !ctx.json) process.stdout.write(`\n${renderFailure(d.plan.failure)}\n`);
          return finish({ code: outcomeOf(d.plan.state) });
        }
      } while (dirty);
    } catch (err) {
      if (seen || !(err instanceof RpcCallError) || err.dataCode !== "PLAN_NOT_FOUND") return finish({ err });
      // Not a plan (yet): an item still on its way is waited for; else a rejection says why at
      // once (an older one must not answer for an item just dropped again); else it fails now.
      if (!onItsWay(ctx, plan) || Date.now() >= acceptBy) {
        const rejection = await rejectionOf(client, plan);
        if (!rejection) return finish({ err });
        ctx.note(`purplectl: ${plan} was rejected ${rejection.at}: ${rejection.problems.length} problem(s) (${rejection.item})\n${formatProblems(rejection.problems)}`);
        return finish({ code: EXIT.failed });
      }
      if (!waiting) {
        waiting = true;
        ctx.note(`(waiting for purpled to accept ${plan})`);
      }
    } finally {
      busy = false;
    }
  };

  // Subscribe before the first plan.get, so no transition falls between the two.
  await client.subscribe(plan, () => void refresh());
  void refresh();
  const poll = setInterval(() => void refresh(), POLL_MS);
  void client.closed.then(() => finish({ err: new NoDaemonError(client.socketPath, "purpled went away while watching") }));
  const onSignal = () => finish({ code: 130 });
  process.once("SIGINT", onSignal);
  try {
    const r = await ended;
    if ("err" in r) throw r.err;
    return r.code;
  } finally {
    clearInterval(poll);
    process.off("SIGINT", onSignal);
    client.close();
  }
}

/** The latest rejection of an item named `plan` (null when none, or the daemon predates plan.rejections). */
async function rejectionOf(client: Client, plan: string): Promise<Rejection | null> {
  try {
    const all = await client.call("plan.rejections");
    return all.filter((r) => rejectionName(r.item) === plan).at(-1) ?? null;
  } catch (err) {
    if (err instanceof RpcCallError && err.dataCode === "METHOD_NOT_FOUND") return null;
    throw err;
  }
}

/** The plan's name is an item in the inbox, or a folder in O/ not yet taken up nor refused (plan.error.json). */
function onItsWay(ctx: Ctx, plan: string): boolean {
  const root = ctx.socket.root;
  if (!root) return true; // cannot look: wait as before
  const o = orchestrationOf(root);
  if (existsSync(join(o, plan))) return !existsSync(join(o, plan, "plan.error.json"));
  try {
    return readdirSync(join(o, "inbox")).some((f) => f === plan || f.replace(/\.(ya?ml|json)$/i, "") === plan);
  } catch {
    return false;
  }
}

/** No PLAN given: the one plan still going, else the one updated last. */
async function pickPlan(client: Client): Promise<string> {
  const { plans } = await client.call("daemon.status");
  const going = plans.filter((p) => !isTerminal(p.state));
  if (going.length > 1) throw new UsageError(`several plans are going (${going.map((p) => p.plan).join(", ")}): name one, e.g. purplectl watch ${going[0]!.plan}`);
  const pick = going[0] ?? [...plans].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
  if (!pick) throw new Error("purpled has no plans to watch yet");
  return pick.plan;
}

/** How frames reach the screen: redrawn in place on a TTY, appended lines otherwise, JSON with --json. */
function painter(ctx: Ctx): (d: PlanDetail) => void {
  const out = (s: string) => process.stdout.write(s);
  if (ctx.json) {
    let last = "";
    return (d) => {
      const line = JSON.stringify(d);
      if (line !== last) out(`${line}\n`);
      last = line;
    };
  }
  if (process.stdout.isTTY) {
    let height = 0;
    let last = "";
    return (d) => {
      const lines = frame(d);
      const text = lines.map((l) => l.text).join("\n");
      if (text === last) return;
      out(redraw(height, lines, process.stdout.columns || 100));
      height = lines.length;
      last = text;
    };
  }
  const shown = new Map<string, string>();
  return (d) => {
    const time = new Date().toISOString().slice(11, 19);
    for (const l of changed(shown, frame(d))) out(`${time} ${l.text}\n`);
  };
}
