// The page's behaviour: read state through the daemon's own protocol (POST /api/rpc/<method>,
// the JSON-RPC methods; GET /api/events, events.subscribe as server-sent events) and redraw.
// No state of its own beyond what was last read: every event makes it ask the daemon again.
import { ago, until, renderChangeset, renderDaemon, renderPanelHead, renderPlan, renderPlans, transcriptLine } from "./view.js";
import { confirmAction, toast } from "./dialog.js";

const $ = (id) => document.getElementById(id);
const S = { session: null, daemon: null, plans: [], selected: null, detail: null, validation: [], events: [], seqs: new Set(), panel: null, changeset: null, log: null, expanded: new Set() };

async function rpc(method, params = {}) {
  const res = await fetch(`/api/rpc/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params) });
  const body = await res.json().catch(() => ({ error: { code: "INTERNAL", message: `HTTP ${res.status}` } }));
  if (!res.ok) throw Object.assign(new Error(body.error?.message ?? `HTTP ${res.status}`), { code: body.error?.code });
  return body;
}
async function get(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error((await res.json().catch(() => null))?.error?.message ?? `HTTP ${res.status}`);
  return res.json();
}
const planPath = (rest) => `/api/plans/${encodeURIComponent(S.selected)}${rest}`;

// Refreshes are coalesced: a burst of events costs one round of requests.
const dirty = new Set();
let flushTimer = null;
function refresh(...what) {
  for (const w of what) dirty.add(w);
  if (!flushTimer) flushTimer = setTimeout(flush, 60);
}
async function flush() {
  flushTimer = null;
  const what = new Set(dirty);
  dirty.clear();
  try {
    if (what.has("daemon")) {
      S.daemon = await rpc("daemon.status");
      S.plans = S.daemon.plans;
      if (!S.selected || !S.plans.some((p) => p.plan === S.selected)) selectPlan(fromHash() ?? S.plans[0]?.plan ?? null);
    }
    if (S.selected) {
      if (what.has("detail")) S.detail = await rpc("plan.get", { plan: S.selected });
      if (what.has("validation")) S.validation = await get(planPath("/validation"));
      if (what.has("history")) mergeEvents(await get(planPath("/events?limit=500")));
      if (what.has("changeset") && S.panel?.tab === "changes") S.changeset = await get(planPath(`/agents/${encodeURIComponent(S.panel.agent)}/changeset`));
    }
  } catch (err) {
    toast(`could not refresh: ${err.message}`, true);
  }
  draw();
}

function mergeEvents(list) {
  for (const e of list) if (!S.seqs.has(e.seq)) { S.seqs.add(e.seq); S.events.push(e); }
  S.events.sort((a, b) => a.seq - b.seq);
  if (S.events.length > 1000) S.events.splice(0, S.events.length - 1000);
}

function onEvent(e) {
  refresh("daemon");
  if (e.plan !== S.selected) return;
  mergeEvents([e]);
  refresh("detail");
  if (e.type === "gate.check" || e.type === "contract.check" || e.type === "wave.state") refresh("validation");
  if (S.panel && e.agent === S.panel.agent) refresh("changeset");
}

function connect() {
  const es = new EventSource("/api/events");
  es.onopen = () => { setConn("live"); refresh("daemon", "detail", "validation", "history", "changeset"); };
  es.onerror = () => setConn(es.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  es.onmessage = (m) => { try { onEvent(JSON.parse(m.data)); } catch {} };
}
function setConn(state) {
  const el = $("conn");
  el.dataset.conn = state;
  el.textContent = state === "live" ? "live" : state === "closed" ? "disconnected (reload)" : "reconnecting…";
}

const fromHash = () => decodeURIComponent(/plan=([^&]+)/.exec(location.hash)?.[1] ?? "") || null;
function selectPlan(plan) {
  if (plan === S.selected) return;
  S.selected = plan;
  S.detail = null; S.validation = []; S.events = []; S.seqs = new Set(); S.panel = null; S.changeset = null; S.log = null;
  if (plan && fromHash() !== plan) history.replaceState(null, "", `#plan=${encodeURIComponent(plan)}`);
  if (plan) refresh("detail", "validation", "history");
}

function draw() {
  $("daemon").innerHTML = renderDaemon(S.daemon, S.session);
  $("plans").innerHTML = renderPlans(S.plans, S.selected);
  $("main").innerHTML = S.detail ? renderPlan(S.detail, S.validation, S.events, S) : `<div class="empty">${S.selected ? "loading…" : "No plan selected."}</div>`;
  drawPanel();
}

function drawPanel() {
  const panel = $("panel");
  $("layout").classList.toggle("with-panel", !!S.panel);
  panel.hidden = !S.panel;
  if (!S.panel) return;
  const agent = S.detail?.agents.find((a) => a.agent === S.panel.agent);
  if (S.panel.tab === "changes") {
    panel.innerHTML = renderPanelHead(S.panel, agent) + `<div class="changeset">${renderChangeset(S.changeset)}</div>`;
    return;
  }
  // The output keeps its element (and the reader's scroll position) across redraws.
  let pre = panel.querySelector("pre.log");
  if (!pre || panel.dataset.agent !== S.panel.agent) {
    panel.innerHTML = renderPanelHead(S.panel, agent) + `<div class="log-meta muted small pad"></div><pre class="log"></pre>`;
    panel.dataset.agent = S.panel.agent;
    pre = panel.querySelector("pre.log");
    pre.textContent = S.log?.text ?? "";
  } else {
    panel.querySelector(".panel-head").outerHTML = renderPanelHead(S.panel, agent);
  }
  panel.querySelector(".log-meta").textContent = S.log?.file ? `${S.log.file} · ${S.log.size} bytes · following` : "no output yet";
}

async function pollLog() {
  if (!S.panel || S.panel.tab !== "output" || !S.selected) return;
  const agent = S.panel.agent;
  const from = S.log && S.log.agent === agent ? S.log.size : null;
  try {
    const chunk = await get(planPath(`/agents/${encodeURIComponent(agent)}/log${from === null ? "" : `?from=${from}`}`));
    if (!S.panel || S.panel.agent !== agent) return;
    const fresh = !S.log || S.log.agent !== agent || S.log.file !== chunk.file || chunk.size < (S.log.size ?? 0);
    // A transcript is shown a line at a time, readably; the part after its last newline waits for the rest.
    let shown = chunk.text;
    let partial = "";
    if (chunk.file === "transcript.jsonl") {
      let all = (fresh ? "" : S.log.partial) + chunk.text;
      if (fresh && chunk.from > 0) all = all.slice(all.indexOf("\n") + 1); // read from the tail: starts mid-line
      const cut = all.lastIndexOf("\n") + 1;
      partial = all.slice(cut);
      shown = all.slice(0, cut).split("\n").filter(Boolean).map((l) => transcriptLine(l) + "\n").join("");
    }
    S.log = { agent, file: chunk.file, partial, size: chunk.next, text: (fresh ? "" : S.log.text) + shown };
    const pre = $("panel").querySelector("pre.log");
    if (pre) {
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
      if (fresh) pre.textContent = shown; else if (shown) pre.append(shown);
      if (pre.textContent.length > 1_000_000) pre.textContent = pre.textContent.slice(-500_000); // the tail is what matters
      if (atEnd) pre.scrollTop = pre.scrollHeight;
    }
    drawPanel();
  } catch {}
}

function openPanel(agent, tab) {
  if (S.panel?.agent !== agent) { S.log = null; S.changeset = null; $("panel").dataset.agent = ""; }
  S.panel = { agent, tab };
  if (tab === "changes") refresh("changeset");
  else void pollLog();
  draw();
}

async function act(kind, target) {
  const plan = S.selected;
  const agent = target.dataset.agent;
  let request;
  if (kind === "retry") request = await confirmAction({ title: `Retry ${agent}?`, text: `Agent ${agent} of ${plan} runs again (a new attempt).`, note: "A note for the agent (added to its prompt; optional)" }).then((r) => r && ["agent.retry", { plan, agent, ...(r.note ? { note: r.note } : {}) }]);
  else if (kind === "cancel-agent") request = await confirmAction({ title: `Cancel ${agent}?`, text: `Agent ${agent} of ${plan} is stopped and marked cancelled.`, danger: true }).then((r) => r && ["agent.cancel", { plan, agent }]);
  else if (kind === "override") {
    const wave = target.dataset.wave;
    const gate = S.validation.find((v) => v.kind === "gate" && v.subject === wave);
    const failed = (gate?.checks ?? []).map((c, i) => ({ c, i })).filter((x) => !x.c.passed);
    const r = await confirmAction({ title: `Override failed checks of ${wave}?`, text: "The checks you pick count as passed by your decision (recorded), and the plan carries on.", choices: failed.map(({ c, i }) => ({ id: `${wave}#${i}`, label: `${c.kind} ${c.target}` })) });
    request = r && r.choices.length ? ["plan.approve", { plan, override: r.choices }] : null;
  } else {
    const verbs = { approve: ["plan.approve", "Approve", "The plan goes on (a blocked gate's checks stay as they are unless you override them)."], pause: ["plan.pause", "Pause", "No new agents start; running ones finish."], resume: ["plan.resume", "Resume", "Agents start again."], cancel: ["plan.cancel", "Cancel", "Running agents are stopped; the plan ends cancelled."] };
    const [method, verb, text] = verbs[kind];
    request = await confirmAction({ title: `${verb} ${plan}?`, text, danger: kind === "cancel" }).then((r) => r && [method, { plan }]);
  }
  if (!request) return;
  try {
    const out = await rpc(request[0], request[1]);
    toast(`${request[0]}: ${out.state ?? "done"}`);
  } catch (err) {
    toast(`${request[0]} failed: ${err.message}${err.code ? ` (${err.code})` : ""}`, true);
  }
  refresh("daemon", "detail");
}

document.addEventListener("click", (ev) => {
  const el = ev.target.closest("button, a.plan-link");
  if (!el) return;
  if (el.matches("a.plan-link")) { ev.preventDefault(); selectPlan(el.dataset.plan); draw(); return; }
  if (el.dataset.open) return openPanel(el.dataset.agent, el.dataset.open);
  if (el.dataset.close) { S.panel = null; return draw(); }
  if (el.dataset.toggle) { S.expanded.has(el.dataset.toggle) ? S.expanded.delete(el.dataset.toggle) : S.expanded.add(el.dataset.toggle); return draw(); }
  if (el.dataset.act) void act(el.dataset.act, el);
});
window.addEventListener("hashchange", () => { const p = fromHash(); if (p) { selectPlan(p); draw(); } });
// Ticket progress, the status bar and token usage change without an event: ask again every 2 s.
setInterval(() => { if (!document.hidden && S.selected) refresh("daemon", "detail", "validation"); }, 2000);
setInterval(() => {
  for (const el of document.querySelectorAll("[data-since]")) el.textContent = ago(el.dataset.since);
  for (const el of document.querySelectorAll("[data-until]")) el.textContent = until(el.dataset.until);
  void pollLog();
}, 1000);

get("/api/session").then((s) => { S.session = s; draw(); }).catch(() => {});
connect();
