// `purplectl dashboard`: the web view's address with its token (from O/.purple/daemon.json and
// O/.purple/http-token, both readable only by purpled's user), opened in a browser when run on a
// terminal and a browser opener (xdg-open, open) is there; otherwise just printed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HTTP_TOKEN_FILE, PurpleError } from "../../protocol/index.ts";
import type { Ctx } from "../context.ts";
import { EXIT } from "../errors.ts";
import { orchestrationOf } from "../find-root.ts";

export async function dashboard(ctx: Ctx): Promise<number> {
  const stateDir = join(orchestrationOf(ctx.requireRoot()), ".purple");
  let base: string | undefined;
  try {
    base = (JSON.parse(readFileSync(join(stateDir, "daemon.json"), "utf8")) as { http?: unknown }).http as string | undefined;
  } catch {
    throw new PurpleError("NO_DAEMON", `no purpled runs for ${ctx.requireRoot()} (no ${join(stateDir, "daemon.json")})`);
  }
  if (typeof base !== "string") throw new PurpleError("INVALID_STATE", "purpled serves no web view: start it with --http 127.0.0.1:PORT, or set http: 127.0.0.1:PORT in O/purple.yaml");
  let token: string;
  try {
    token = readFileSync(join(stateDir, HTTP_TOKEN_FILE), "utf8").trim();
  } catch (err) {
    throw new PurpleError("IO_ERROR", `cannot read the web view's token ${join(stateDir, HTTP_TOKEN_FILE)}: ${(err as Error).message}`);
  }
  const url = `${base}?token=${encodeURIComponent(token)}`;
  ctx.print(url, { url });
  // `open` on Linux is often openvt: only macOS's open is a browser opener.
  const opener = process.stdout.isTTY ? Bun.which(process.platform === "darwin" ? "open" : "xdg-open") : null;
  if (opener) Bun.spawn([opener, url], { stdio: ["ignore", "ignore", "ignore"] }).unref();
  return EXIT.ok;
}
