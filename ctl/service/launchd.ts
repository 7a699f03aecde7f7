// A launchd property list (a LaunchAgent) that runs purpled for one root. Pure: the XML and
// where it belongs. KeepAlive restarts purpled only when it did not exit cleanly.
import { join } from "node:path";
import type { ServiceSpec } from "./purpled-command.ts";
import { STOP_TIMEOUT_S } from "./systemd.ts";

/** Text as XML character data: &, <, > and quotes escaped; characters XML 1.0 forbids dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const str = (s: string) => `<string>${xmlEscape(s)}</string>`;

/** The plist's text; purpled's stdout and stderr (its JSON log) go under O/.purple/. */
export function renderLaunchdPlist(spec: ServiceSpec): string {
  const state = join(spec.root, ".context-kit", "orchestration", ".purple");
  const env = Object.entries(spec.env);
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
    `<!-- Written by purplectl service install; purplectl service print shows what it would write. -->`,
    `<plist version="1.0">`,
    `<dict>`,
    `  <key>Label</key>`,
    `  ${str(spec.label)}`,
    `  <key>ProgramArguments</key>`,
    `  <array>`,
    ...spec.command.map((a) => `    ${str(a)}`),
    `  </array>`,
    `  <key>WorkingDirectory</key>`,
    `  ${str(spec.root)}`,
    ...(env.length ? [`  <key>EnvironmentVariables</key>`, `  <dict>`, ...env.flatMap(([k, v]) => [`    <key>${xmlEscape(k)}</key>`, `    ${str(v)}`]), `  </dict>`] : []),
    `  <key>RunAtLoad</key>`,
    `  <true/>`,
    `  <key>KeepAlive</key>`,
    `  <dict>`,
    `    <key>SuccessfulExit</key>`,
    `    <false/>`,
    `  </dict>`,
    `  <key>ExitTimeOut</key>`,
    `  <integer>${STOP_TIMEOUT_S}</integer>`,
    `  <key>StandardOutPath</key>`,
    `  ${str(join(state, "purpled.out.log"))}`,
    `  <key>StandardErrorPath</key>`,
    `  ${str(join(state, "purpled.err.log"))}`,
    `</dict>`,
    `</plist>`,
    ``,
  ];
  return lines.join("\n");
}

/** ~/Library/LaunchAgents/<label>.plist */
export const launchdPlistPath = (spec: ServiceSpec, home: string): string => join(home, "Library", "LaunchAgents", `${spec.label}.plist`);

/** What to run after installing, printed, never run by purplectl. */
export const launchdNextStep = (path: string): string => `launchctl bootstrap gui/$(id -u) ${shellQuote(path)}`;

/** A word for a POSIX shell, single-quoted when it needs to be. */
export const shellQuote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
