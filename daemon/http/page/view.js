// The page's rendering: pure functions from what the daemon said (plan.list, plan.get,
// validation results, events) to HTML strings. Every value from the daemon goes through esc().

export const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const TERMINAL_PLAN = new Set(["succeeded", "failed", "cancelled", "blocked"]);

export function ago(iso, now = Date.now()) {
  if (!iso) return "";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s ago`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
}
/** How long until `iso`: "in 12s". */
export function until(iso, now = Date.now()) {
  const s = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  return s < 60 ? `in ${s}s` : `in ${Math.floor(s / 60)}m ${s % 60}s`;
}
const since = (iso) => (iso ? `<span class="since" data-since="${esc(iso)}">${esc(ago(iso))}</span>` : "");
const tokens = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
const usd = (n) => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
const badge = (state, extra = "") => `<span class="badge s-${esc(state)}" ${extra}>${esc(state)}</span>`;
const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : "");

/** The top bar: daemon, slots in use across every plan. */
export function renderDaemon(daemon, session) {
  if (!daemon) return "";
  const running = daemon.plans.reduce((n, p) => n + p.running, 0);
  const slots = session ? ` of ${session.maxAgents}` : "";
  return `<span title="${esc(daemon.root)}">${esc(daemon.root)}</span><span class="sep"></span>`
    + `<span data-testid="slots"><b>${running}</b>${slots} slots in use</span><span class="sep"></span>`
    + `<span>purpled ${esc(daemon.version)}${daemon.draining ? " · draining" : ""}${daemon.degraded ? ' · <b class="warn">degraded</b>' : ""}</span>`;
}

/** The list of plans on the root. */
export function renderPlans(plans, selected) {
  if (!plans.length) return `<div class="empty">No plans yet. Drop one into <code>.context-kit/orchestration/inbox/</code>.</div>`;
  return `<h2>Plans</h2>` + plans.map((p) => `
    <a class="plan-link${p.plan === selected ? " selected" : ""}" href="#plan=${encodeURIComponent(p.plan)}" data-plan="${esc(p.plan)}">
      <span class="plan-name">${esc(p.plan)}</span>${badge(p.state)}
      <span class="plan-meta">${p.completed}/${p.agents} agents · ${p.wavesPassed}/${p.waves} waves · ${usd(p.costUsd)}</span>
    </a>`).join("");
}

/** The last thing an agent was seen doing: its status-bar tool or file, else its last changed file, else its last state change. */
export function lastActivity(id, plan, events) {
  let best = null;
  const bar = plan.statusBar;
  if (bar && bar.agent === id && (bar.tool || bar.activeFile)) best = { what: [bar.tool, bar.activeFile].filter(Boolean).join(" · "), at: bar.updatedAt };
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.agent !== id) continue;
    if (best && Date.parse(best.at) >= Date.parse(e.ts)) break;
    if (e.type === "agent.changes") { best = { what: `wrote ${e.paths[e.paths.length - 1]}${e.paths.length > 1 ? ` +${e.paths.length - 1}` : ""}`, at: e.ts }; break; }
    if (e.type === "agent.violation") { best = { what: `refused ${e.path}`, at: e.ts }; break; }
    if (e.type === "agent.state") { best = { what: `${e.from} → ${e.to}`, at: e.ts }; break; }
  }
  return best;
}

function agentRow(a, plan, events, panel) {
  const done = a.tickets.filter((t) => t.state === "completed").length;
  const act = lastActivity(a.agent, plan, events);
  const refused = a.violations.length;
  const open = panel && panel.agent === a.agent ? panel.tab : "";
  const canRetry = ["failed", "blocked", "cancelled"].includes(a.state);
  const canCancel = !["completed", "failed", "cancelled", "blocked"].includes(a.state);
  return `<tr data-agent="${esc(a.agent)}" data-state="${esc(a.state)}">
    <td><div class="agent-id">${esc(a.agent)}</div><div class="muted small mono ellipsis" title="${esc(a.territory.join(", "))}">${esc(a.territory.join(", "))}</div>
      <div class="actions">
        <button class="tab${open === "output" ? " on" : ""}" data-open="output" data-agent="${esc(a.agent)}">Output</button>
        <button class="tab${open === "changes" ? " on" : ""}" data-open="changes" data-agent="${esc(a.agent)}">Changes <span class="count">${a.changedFiles.length}</span>${refused ? `<span class="count bad">${refused} refused</span>` : ""}</button>
        ${canRetry ? `<button data-act="retry" data-agent="${esc(a.agent)}">Retry</button>` : ""}
        ${canCancel ? `<button class="danger-quiet" data-act="cancel-agent" data-agent="${esc(a.agent)}">Cancel</button>` : ""}
      </div></td>
    <td>${a.retryAt ? badge("waiting", `data-testid="agent-state" title="queued"`) : badge(a.state, `data-testid="agent-state"`)}<div class="muted small">attempt ${a.attempt}${a.speculative ? " · speculative" : ""}</div>
      ${a.retryAt ? `<div class="small retry">retry at ${esc(clock(a.retryAt))} <span data-until="${esc(a.retryAt)}">${esc(until(a.retryAt))}</span></div>` : ""}${a.reason ? `<div class="reason small" title="${esc(a.reason)}">${esc(a.reason)}</div>` : ""}</td>
    <td>${a.tickets.length ? `<progress class="bar" max="${a.tickets.length}" value="${done}"></progress><span class="small">${done}/${a.tickets.length} tickets</span>` : '<span class="muted small">no tickets</span>'}</td>
    <td>${act ? `<div class="small mono ellipsis" title="${esc(act.what)}">${esc(act.what)}</div>${since(act.at)}` : '<span class="muted small">—</span>'}</td>
    <td class="num"><b>${usd(a.usage.costUsd)}</b><div class="small muted">${tokens(a.usage.inputTokens)} in · ${tokens(a.usage.outputTokens)} out</div></td></tr>`;
}

/** A gate still running has no validation file yet: its checks so far, from the gate.check events since it began. */
function liveGate(plan, wave, events) {
  let start = -1;
  for (let i = events.length - 1; i >= 0; i--) if (events[i].type === "wave.state" && events[i].wave === wave.id && events[i].to === "validating") { start = i; break; }
  if (start < 0 || wave.state !== "validating") return undefined;
  const checks = events.slice(start).filter((e) => e.type === "gate.check" && e.wave === wave.id).map((e) => e.result);
  return { plan, subject: wave.id, kind: "gate", passed: false, running: true, startedAt: events[start].ts, completedAt: null, checks };
}

/** Each check of a gate with its state: passed, failed, running (the gate is on it), pending or not run. */
function checkList(result, planned, expanded, waveState = null) {
  const rows = (planned.length ? planned : result?.checks ?? []).map((p, i) => ({ p, c: result?.checks[i] ?? null, i }));
  if (!rows.length) return `<div class="muted small gate-pending">no checks</div>`;
  const runningAt = result?.running ? result.checks.length : -1;
  return `<ul class="checks">` + rows.map(({ p, c, i }) => {
    const key = `${result?.kind ?? "gate"}:${result?.subject ?? ""}:${i}`;
    const ended = result ? !result.running : waveState === "failed" || waveState === "blocked";
    const state = c ? (c.passed ? "passed" : "failed") : i === runningAt ? "running" : ended ? "not run" : "pending";
    const mark = { passed: "✓", failed: "✗", running: "●", pending: "○", "not run": "–" }[state];
    const detail = c ? ` ${Math.round(c.durationMs)} ms${c.exitCode !== null ? ` · exit ${c.exitCode}` : ""}` : ` ${state}`;
    return `<li class="check-${state.replace(" ", "-")}" data-check="${esc(key)}" data-check-state="${esc(state)}">
      <button class="check-toggle" data-toggle="${esc(key)}"${c?.output ? "" : " disabled"}><span class="cmark">${mark}</span>
      <span class="kind">${esc(p.kind)}</span> <span class="mono">${esc(p.target)}</span><span class="muted small">${esc(detail)}</span></button>
      ${c && expanded.has(key) && c.output ? `<pre class="output">${esc(c.output)}</pre>` : ""}</li>`;
  }).join("") + `</ul>`;
}

/** One plan: header with totals and actions, each wave with its gate and agents, contracts, events. */
export function renderPlan(detail, validation, events, ui) {
  const p = detail.plan;
  const byId = new Map(detail.agents.map((a) => [a.agent, a]));
  const gates = new Map(validation.filter((v) => v.kind === "gate").map((v) => [v.subject, v]));
  const contracts = validation.filter((v) => v.kind === "contract");
  const counts = Object.entries(p.counts).filter(([, n]) => n > 0).map(([s, n]) => `${badge(s)} ${n}`).join(" ");
  const acts = [];
  if (["awaiting-approval", "blocked"].includes(p.state)) acts.push(`<button class="primary" data-act="approve">Approve</button>`);
  if (["running", "queued"].includes(p.state)) acts.push(`<button data-act="pause">Pause</button>`);
  if (p.state === "paused") acts.push(`<button class="primary" data-act="resume">Resume</button>`);
  if (!TERMINAL_PLAN.has(p.state)) acts.push(`<button class="danger" data-act="cancel">Cancel plan</button>`);
  const waves = p.waves.map((w) => {
    const gate = gates.get(w.id) ?? liveGate(p.plan, w, events);
    const failed = gate ? gate.checks.filter((c) => !c.passed).length : 0;
    return `<section class="wave" data-wave="${esc(w.id)}" data-state="${esc(w.state)}">
      <div class="wave-head"><h3>${esc(w.title || w.id)}${w.title ? ` <span class="muted small mono">${esc(w.id)}</span>` : ""}</h3>${badge(w.state)}
        ${failed && p.state === "blocked" ? `<button class="small-btn" data-act="override" data-wave="${esc(w.id)}">Override failed checks…</button>` : ""}</div>
      ${w.agents.length === 0 ? `<p class="muted small gate-only">No agents: a gate-only wave.</p>` : `<table class="agents"><thead><tr><th>Agent</th><th>State</th><th>Tickets</th><th>Last activity</th><th class="num">Usage</th></tr></thead>
      <tbody>${w.agents.map((id) => byId.get(id)).filter(Boolean).map((a) => agentRow(a, p, events, ui.panel)).join("")}</tbody></table>`}
      <div class="gate"><div class="gate-title">Gate${gate ? ` · ${gate.running ? '<span class="warn">running</span>' : gate.passed ? '<span class="ok">passed</span>' : '<span class="bad">failed</span>'} ${since(gate.completedAt)}` : w.state === "pending" || w.state === "running" ? ` · <span class="muted">${w.agents.length === 0 ? "after the waves before it pass" : "after the agents complete"}</span>` : ""}</div>${checkList(gate, w.gate ?? [], ui.expanded, w.state)}</div>
    </section>`;
  }).join("");
  return `<section class="plan-head" data-plan-state="${esc(p.state)}">
      <div class="title-row"><h1>${esc(p.plan)}</h1>${badge(p.state, 'data-testid="plan-state"')}<div class="plan-actions">${acts.join("")}</div></div>
      ${p.goal ? `<p class="goal">${esc(p.goal)}</p>` : ""}
      ${p.reason ? `<p class="plan-reason${["blocked", "failed", "cancelled"].includes(p.state) ? " alert" : ""}">${esc(p.reason)}</p>` : ""}
      <div class="totals">
        <div><span class="label">Agents</span>${counts || "—"}</div>
        <div><span class="label">Tokens</span>${tokens(p.usage.inputTokens)} in · ${tokens(p.usage.outputTokens)} out · ${tokens(p.usage.cacheReadTokens)} cached</div>
        <div><span class="label">Cost</span><b data-testid="plan-cost">${usd(p.usage.costUsd)}</b></div>
        <div><span class="label">Running</span>${(p.counts.running ?? 0) + (p.counts.validating ?? 0)} agent slot(s)</div>
        <div><span class="label">Started</span>${p.startedAt ? `${clock(p.startedAt)} · ${since(p.startedAt)}` : "—"}</div>
      </div>
    </section>
    ${waves}
    ${contracts.length ? `<section class="wave"><div class="wave-head"><h3>Contracts</h3></div>${contracts.map((c) => `<div class="gate"><div class="gate-title">${esc(c.subject)} · ${c.passed ? '<span class="ok">passed</span>' : '<span class="bad">failed</span>'}</div>${checkList(c, [], ui.expanded)}</div>`).join("")}</section>` : ""}
    <section class="events"><h3>Events <span class="muted small">${events.length}</span></h3><ol class="event-list">${events.slice(-200).reverse().map(eventLine).join("")}</ol></section>`;
}

function eventLine(e) {
  let what;
  switch (e.type) {
    case "plan.accepted": what = `accepted from ${esc(e.source)}`; break;
    case "plan.state": what = `plan ${esc(e.from ?? "—")} → <b>${esc(e.to)}</b>${e.reason ? ` · ${esc(e.reason)}` : ""}`; break;
    case "wave.state": what = `wave ${esc(e.wave)} ${esc(e.from)} → <b>${esc(e.to)}</b>`; break;
    case "agent.state": what = `<b>${esc(e.agent)}</b> ${esc(e.from)} → <b>${esc(e.to)}</b> (attempt ${e.attempt}${e.speculative ? ", speculative" : ""})${e.reason ? ` · ${esc(e.reason)}` : ""}`; break;
    case "agent.speculation": what = `<b>${esc(e.agent)}</b> speculative attempt ${e.attempt}: ${esc(e.action)} ${e.paths.length} change(s)${e.reason ? ` · ${esc(e.reason)}` : ""}`; break;
    case "agent.changes": what = `<b>${esc(e.agent)}</b> changed ${e.paths.map((x) => `<span class="mono">${esc(x)}</span>`).join(", ")}`; break;
    case "agent.violation": what = `<b>${esc(e.agent)}</b> <span class="bad">refused</span> <span class="mono">${esc(e.path)}</span> (${esc(e.action)})`; break;
    case "gate.check": what = `gate ${esc(e.wave)}: ${e.result.passed ? "✓" : "✗"} ${esc(e.result.kind)} ${esc(e.result.target)}`; break;
    case "contract.check": what = `contract ${esc(e.contract)}: ${e.result.passed ? "✓" : "✗"} ${esc(e.result.kind)} ${esc(e.result.target)}`; break;
    case "repair.round": what = `${esc(e.subject)}: repair round ${e.round} of ${e.of} · ${e.checks.map(esc).join(", ")} failed · <b>${e.agents.map(esc).join(", ")}</b> run again`; break;
    default: what = esc(e.type);
  }
  return `<li data-type="${esc(e.type)}"><span class="muted mono">${esc(clock(e.ts))}</span> <span class="etype">${esc(e.type)}</span> ${what}</li>`;
}

/** The side panel: an agent's live output, or its latest attempt's changeset as diffs. */
export function renderPanelHead(panel, agent) {
  return `<div class="panel-head"><div><b>${esc(panel.agent)}</b> <span class="muted">attempt ${agent ? agent.attempt : "?"}</span></div>
    <div class="panel-tabs"><button class="tab${panel.tab === "output" ? " on" : ""}" data-open="output" data-agent="${esc(panel.agent)}">Output</button>
    <button class="tab${panel.tab === "changes" ? " on" : ""}" data-open="changes" data-agent="${esc(panel.agent)}">Changes</button>
    <button class="close" data-close="panel" aria-label="close">×</button></div></div>`;
}

const ACTION = { reverted: "reverted", deleted: "removed", refused: "stopped at write", held: "held back" };

export function renderChangeset(cs) {
  if (!cs) return `<div class="muted pad">loading…</div>`;
  if (!cs.files.length) return `<div class="muted pad">No changes recorded for this attempt.</div>`;
  return `<div class="muted small pad">Attempt ${cs.attempt} · diffs against ${esc(cs.base)}</div>` + cs.files.map((f) => `
    <div class="file${f.refused ? " refused" : ""}" data-path="${esc(f.path)}" data-refused="${f.refused}">
      <div class="file-head"><span class="mono">${esc(f.path)}</span><span class="chg c-${esc(f.change)}">${esc(f.change)}</span>
        ${f.refused ? `<span class="refused-tag">refused · ${esc(ACTION[f.action] ?? f.action)}</span>` : f.action === "held" ? `<span class="held-tag">held back</span>` : ""}</div>
      ${f.refused ? `<div class="small pad refused-why">${f.reason ? `<span class="mono">${esc(f.path)}</span> ${esc(f.reason)}: ` : ""}this change never reached the project.</div>` : f.action === "held" ? `<div class="muted small pad">Not applied: ${esc(f.reason ?? "held back")}.</div>` : f.diff ? diffHtml(f.diff) + (f.truncated ? `<div class="muted small pad">diff cut short</div>` : "") : `<div class="muted small pad">no diff to show</div>`}
    </div>`).join("");
}

function diffHtml(diff) {
  const lines = diff.split("\n").filter((l, i, all) => i < all.length - 1 || l !== "");
  return `<pre class="diff">` + lines.map((l) => {
    const cls = l.startsWith("+++") || l.startsWith("---") || l.startsWith("diff ") || l.startsWith("index ") || /^(new|deleted) file mode/.test(l) ? "h"
      : l.startsWith("@@") ? "hunk" : l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : "";
    return `<span class="${cls}">${esc(l) || " "}</span>`;
  }).join("") + `</pre>`;
}

/** A message's content blocks as text: words, tool calls (⚙ name input), tool results. */
function blocks(content, sep = " ") {
  if (typeof content === "string") return content;
  return (content ?? []).map((b) => b.type === "text" ? b.text : b.type === "tool_use" ? `⚙ ${b.name} ${JSON.stringify(b.input).slice(0, 200)}` : b.type === "tool_result" ? `result: ${typeof b.content === "string" ? b.content : JSON.stringify(b.content)}` : `[${b.type}]`).join(sep);
}

/** One transcript.jsonl line as a person reads it: the assistant's words and tool calls, errors, the end; a request as one line. */
export function transcriptLine(line) {
  let r;
  try { r = JSON.parse(line); } catch { return line; }
  const time = r.at ? `[${clock(r.at)}] ` : "";
  switch (r.type) {
    case "request": return `${time}→ turn ${r.turn}${r.retry ? ` (retry ${r.retry})` : ""}: request with ${r.body?.messages?.length ?? "?"} message(s)`;
    case "response": {
      const u = r.message?.usage;
      return `${time}← turn ${r.turn}${u ? ` (${u.input_tokens ?? 0} in, ${u.output_tokens ?? 0} out)` : ""}:\n  ${blocks(r.message?.content, "\n  ")}`;
    }
    case "error": return `${time}✗ turn ${r.turn} failed${r.status ? ` (HTTP ${r.status})` : ""}: ${r.message}`;
    case "end": return `${time}■ ${r.outcome}: ${r.message}`;
    // Claude Code's stream-json events (claude-code runner)
    case "assistant": return `← ${blocks(r.message?.content)}`;
    case "user": return `  ↳ ${blocks(r.message?.content).slice(0, 300)}`;
    case "system": return r.subtype === "init" ? `■ session ${r.session_id ?? ""} started (${r.model ?? "model"})` : r.subtype === "api_retry" ? `… waiting: the API asked to retry (${JSON.stringify(r).slice(0, 160)})` : `■ ${r.subtype ?? "system"}`;
    case "result": return `■ ${r.is_error ? "failed" : "finished"} after ${r.num_turns ?? "?"} turn(s)${typeof r.total_cost_usd === "number" ? `, $${r.total_cost_usd.toFixed(4)}` : ""}${r.result ? `: ${String(r.result).slice(0, 300)}` : ""}`;
    default: return line;
  }
}
