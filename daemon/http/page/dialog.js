// Every action is confirmed before it is sent: a modal that says what will happen, optionally
// asks for a note or a choice of checks, and resolves to what the person chose (null: cancelled).
import { esc } from "./view.js";

const $ = (id) => document.getElementById(id);

/** Ask; resolves {note, choices} on Confirm, null on Cancel or Escape. */
export function confirmAction({ title, text, note, choices, danger }) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  let extra = "";
  if (note) extra += `<label class="field">${esc(note)}<textarea id="confirm-note" rows="3"></textarea></label>`;
  if (choices) extra += choices.length
    ? `<div class="choices">${choices.map((c) => `<label><input type="checkbox" value="${esc(c.id)}" checked> <span class="mono">${esc(c.label)}</span></label>`).join("")}</div>`
    : `<p class="muted">No failed checks to override.</p>`;
  $("confirm-extra").innerHTML = extra;
  const ok = $("confirm-ok");
  ok.classList.toggle("danger", !!danger);
  ok.classList.toggle("primary", !danger);
  return new Promise((resolve) => {
    const done = (value) => {
      ok.onclick = null;
      $("confirm-cancel").onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(value);
    };
    ok.onclick = () => done({
      note: $("confirm-note")?.value.trim() ?? "",
      choices: [...dialog.querySelectorAll(".choices input:checked")].map((i) => i.value),
    });
    $("confirm-cancel").onclick = () => done(null);
    dialog.onclose = () => done(null);
    dialog.showModal();
  });
}

let toastTimer = null;
/** A short message at the bottom of the page. */
export function toast(message, bad = false) {
  const el = $("toast");
  el.textContent = message;
  el.classList.toggle("bad", bad);
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 3500);
}
