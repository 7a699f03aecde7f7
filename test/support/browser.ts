// Headless Chromium for the web view's tests, driven by playwright-core. Debian's `chromium`
// package (/usr/bin/chromium, or $PURPLE_CHROMIUM); when it is absent the tests skip saying so.
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";

export const CHROMIUM = process.env.PURPLE_CHROMIUM ?? "/usr/bin/chromium";
/** Why the browser tests cannot run here, or null when they can. */
export const noBrowser: string | null = existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set PURPLE_CHROMIUM)`;

/** A fresh headless Chromium that talks to nothing but the test's loopback server. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", // Chromium's own sandbox refuses to start as root (CI runs as root)
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
      "--disable-dev-shm-usage",
      // no --user-data-dir: playwright refuses it here and gives every launch a fresh temp profile itself
    ],
  });
}
