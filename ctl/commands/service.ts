// `purplectl service print|install [--systemd|--launchd] [--user]`: a unit file or plist that
// runs purpled for this root (systemd on Linux, launchd on macOS unless a flag says otherwise).
import { homedir, userInfo } from "node:os";
import { PurpleError } from "../../protocol/errors.ts";
import type { Ctx } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { installFile } from "../service/install.ts";
import { launchdNextStep, launchdPlistPath, renderLaunchdPlist } from "../service/launchd.ts";
import { serviceSpec } from "../service/purpled-command.ts";
import { renderSystemdUnit, systemdNextStep, systemdUnitPath } from "../service/systemd.ts";

/** print: the file on stdout. install: write it, then say how to enable it. */
export async function service(ctx: Ctx, [sub]: string[]): Promise<number> {
  if (sub !== "print" && sub !== "install") throw new UsageError(`service takes print or install, not '${sub}'`);
  const kind = ctx.flags.launchd ? "launchd" : ctx.flags.systemd ? "systemd" : process.platform === "darwin" ? "launchd" : "systemd";
  let spec;
  try {
    spec = serviceSpec(ctx.requireRoot());
  } catch (err) {
    if (err instanceof PurpleError) throw err;
    throw new PurpleError("IO_ERROR", `the root ${ctx.requireRoot()} cannot be resolved: ${(err as Error).message}`);
  }
  const home = process.env.HOME || homedir();
  const isRoot = process.getuid?.() === 0;
  const user = ctx.flags.user;
  const file = kind === "systemd"
    ? { text: renderSystemdUnit(spec, { user, runAs: process.env.SUDO_USER || (isRoot ? null : userInfo().username) }), path: systemdUnitPath(spec, user, process.env, home) }
    : { text: renderLaunchdPlist(spec), path: launchdPlistPath(spec, home) };
  const next = kind === "systemd" ? systemdNextStep(spec, user, isRoot) : launchdNextStep(file.path);

  if (sub === "print") {
    if (ctx.json) ctx.print("", { kind, path: file.path, text: file.text, next });
    else process.stdout.write(file.text);
    return EXIT.ok;
  }
  let outcome;
  try {
    outcome = installFile(file.path, file.text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === "EACCES" || code === "EPERM" ? (kind === "systemd" && !user ? ": run it with sudo, or install a user unit with --user" : "") : "";
    throw new PurpleError("IO_ERROR", `cannot write ${file.path} (${code ?? (err as Error).message})${hint}`);
  }
  const when = kind === "systemd" && !user ? "boot" : "login";
  ctx.print(`${outcome} ${file.path}\nto start purpled now and at every ${when}, run:\n  ${next}`, { kind, path: file.path, outcome, next });
  return EXIT.ok;
}
