// A systemd unit that runs purpled for one root. Pure: the text and where it belongs.
// purpled drains on SIGTERM (agents get --grace, default 10s), so the stop timeout is longer;
// KillMode=mixed sends SIGTERM to purpled alone and SIGKILL to whatever is left after it.
import { join } from "node:path";
import type { ServiceSpec } from "./purpled-command.ts";

export const STOP_TIMEOUT_S = 30;

/** systemd expands %-specifiers in nearly every value: a literal % is %%. */
const specifiers = (s: string): string => s.replaceAll("%", "%%");

/**
 * One word of ExecStart= (systemd.syntax "Quoting"): bare when it is plain, else in double
 * quotes with C escapes; `$` would start a variable there, so it is `$$`.
 */
export function quoteExecWord(word: string): string {
  const w = specifiers(word).replaceAll("$", "$$$$");
  if (w === ";") return "\\;";
  if (w !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
  return `"${w.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
}

/** One VAR=value assignment of Environment=, quoted whole. */
const envAssignment = (name: string, value: string): string => `"${specifiers(`${name}=${value}`).replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export interface SystemdOptions {
  /** a user unit (systemctl --user) rather than a system one */
  user: boolean;
  /** User= of a system unit: who purpled runs as (absent: root) */
  runAs?: string | null;
}

/** The unit file's text. */
export function renderSystemdUnit(spec: ServiceSpec, opts: SystemdOptions): string {
  const lines = [
    "# Written by `purplectl service install`; `purplectl service print` shows what it would write.",
    "[Unit]",
    `Description=${specifiers(`purple daemon for ${spec.root}`).replace(/\n/g, " ")}`,
    // agents call model APIs; the user manager has no network-online.target of its own
    ...(opts.user ? [] : ["After=network-online.target", "Wants=network-online.target"]),
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${spec.command.map(quoteExecWord).join(" ")}`,
    `WorkingDirectory=${specifiers(spec.root)}`,
    ...Object.entries(spec.env).map(([k, v]) => `Environment=${envAssignment(k, v)}`),
    ...(!opts.user && opts.runAs ? [`User=${opts.runAs}`] : []),
    "Restart=on-failure",
    "RestartSec=2",
    "KillMode=mixed",
    "KillSignal=SIGTERM",
    `TimeoutStopSec=${STOP_TIMEOUT_S}`,
    "",
    "[Install]",
    `WantedBy=${opts.user ? "default.target" : "multi-user.target"}`,
    "",
  ];
  return lines.join("\n");
}

/** Where the unit goes: the user's unit folder (honouring $XDG_CONFIG_HOME) or /etc/systemd/system. */
export function systemdUnitPath(spec: ServiceSpec, user: boolean, env: Record<string, string | undefined>, home: string): string {
  const dir = user ? join(env.XDG_CONFIG_HOME || join(home, ".config"), "systemd", "user") : "/etc/systemd/system";
  return join(dir, `${spec.name}.service`);
}

/** What to run after installing, printed, never run by purplectl. */
export function systemdNextStep(spec: ServiceSpec, user: boolean, isRoot: boolean): string {
  if (user) return `systemctl --user daemon-reload && systemctl --user enable --now ${spec.name}.service`;
  const sudo = isRoot ? "" : "sudo ";
  return `${sudo}systemctl daemon-reload && ${sudo}systemctl enable --now ${spec.name}.service`;
}
