// The real purpled on a temp root, talking to a scripted Messages-API server: for tests of
// anthropic agents and judge checks. Reviewer conversations are told apart by what their brief
// judges (`gate-<wave>`, `contract-<id>`), agents by the mark in their prompt.
import { join } from "node:path";
import { DaemonInfo } from "../../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./daemon.ts";
import { expectValid, readJson } from "./files.ts";
import { ScriptedApi, type ScriptStep } from "./scripted-api.ts";
import { identifyAgent } from "./scripted-api-usage.ts";

/** Who a request is from: a judge check's reviewer (the SDK's, or Claude Code's whose brief is its last block), or an agent. */
export function identifyReviewerOrAgent(body: any): string | null {
  const content = body?.messages?.[0]?.content;
  for (const block of Array.isArray(content) ? content : []) {
    const m = /^Check: judge, for (?:the gate of wave (\S+)|contract (\S+)) /.exec(typeof block?.text === "string" ? block.text : "");
    if (m) return m[1] ? `gate-${m[1]}` : `contract-${m[2]}`;
  }
  return identifyAgent(body);
}

/** Start both; `cleanups` gets what stops them. `prepare` sees the root before purpled starts. */
export async function daemonWithApi(key: string, scripts: Record<string, ScriptStep[]>, cleanups: (() => Promise<unknown>)[], o: { args?: string[]; prepare?: (root: string) => void } = {}) {
  const api = ScriptedApi.start({ expectKey: key, identify: identifyReviewerOrAgent, scripts });
  cleanups.push(() => api.stop());
  const root = tempRoot({ git: true });
  o.prepare?.(root);
  const d = new DaemonProcess(root, o.args ?? [], { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: api.url });
  cleanups.push(async () => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();
  const socket = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json").socket;
  return { api, root, d, socket };
}
