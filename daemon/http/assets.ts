// The page's files, bundled into the daemon as text (so a compiled purpled serves them too, and
// the page needs nothing from the network): one HTML shell, one stylesheet, three ES modules.
import html from "./page/index.html" with { type: "text" };
import css from "./page/style.css" with { type: "text" };
import app from "./page/app.js" with { type: "text" };
import view from "./page/view.js" with { type: "text" };
import dialog from "./page/dialog.js" with { type: "text" };

const JS = "text/javascript; charset=utf-8";
const ASSETS: Record<string, { type: string; body: string }> = {
  "index.html": { type: "text/html; charset=utf-8", body: html as unknown as string },
  "style.css": { type: "text/css; charset=utf-8", body: css },
  "app.js": { type: JS, body: app },
  "view.js": { type: JS, body: view },
  "dialog.js": { type: JS, body: dialog },
};

/** A page file by name, or undefined. */
export function asset(name: string): { type: string; body: string } | undefined {
  return Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
}
