// Who may use the web view: only a browser on this machine that holds the secret in
// O/.purple/http-token (mode 0600, readable by purpled's user alone; agents never see O/.purple).
// The token arrives once as ?token=, and the page keeps it as an HttpOnly, SameSite=Strict cookie;
// scripts may send it as `Authorization: Bearer`. The Host header must name the loopback address
// we listen on (a DNS-rebinding page cannot borrow it), and a request that changes something must
// come from our own origin with a JSON body (a cross-site form cannot send one).
import { randomBytes, timingSafeEqual } from "node:crypto";
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { HTTP_TOKEN_FILE } from "../../protocol/index.ts";

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

/** The token in `stateDir`: the existing one if it is sound (ours, 0600, well formed), else a new one. */
export function ensureToken(stateDir: string): string {
  const path = join(stateDir, HTTP_TOKEN_FILE);
  try {
    const st = lstatSync(path);
    const text = readFileSync(path, "utf8").trim();
    const ours = typeof process.getuid !== "function" || st.uid === process.getuid();
    if (st.isFile() && (st.mode & 0o077) === 0 && ours && TOKEN_SHAPE.test(text)) return text;
  } catch {}
  const token = randomBytes(32).toString("base64url");
  writeFileAtomic(path, token + "\n", { mode: 0o600 });
  return token;
}

/** Put `token` back in its file (the state directory was deleted and rebuilt). */
export function restoreToken(stateDir: string, token: string): void {
  writeFileAtomic(join(stateDir, HTTP_TOKEN_FILE), token + "\n", { mode: 0o600 });
}

export type Verdict = { ok: true; setCookie: boolean } | { ok: false; status: 401 | 403 | 421; why: string };

/** Checks every request against the token and the listening address. */
export class Gate {
  private readonly expected: Buffer;
  readonly cookieName: string;

  constructor(readonly token: string, private readonly hosts: ReadonlySet<string>, port: number) {
    this.expected = Buffer.from(token);
    // Cookies are per host, not per port: two daemons on one machine keep their own.
    this.cookieName = `purple_${port}`;
  }

  check(req: Request, url: URL): Verdict {
    const host = req.headers.get("host");
    if (!host || !this.hosts.has(host.toLowerCase())) return { ok: false, status: 421, why: "the Host header does not name this server's loopback address" };
    const fromQuery = url.searchParams.get("token");
    const given = fromQuery ?? bearer(req) ?? cookie(req, this.cookieName);
    if (!given || !this.matches(given)) return { ok: false, status: 401, why: "this page needs purpled's token: run `purplectl dashboard` for its address" };
    if (req.method !== "GET" && req.method !== "HEAD") {
      const origin = req.headers.get("origin");
      if (origin !== null && !this.hosts.has(originHost(origin))) return { ok: false, status: 403, why: "a request from another origin" };
      if (!(req.headers.get("content-type") ?? "").startsWith("application/json")) return { ok: false, status: 403, why: "a request that changes something must send JSON" };
    }
    return { ok: true, setCookie: fromQuery !== null };
  }

  /** The Set-Cookie value that keeps the token in the browser for this server. */
  cookie(): string {
    return `${this.cookieName}=${this.expected.toString()}; HttpOnly; SameSite=Strict; Path=/`;
  }

  private matches(given: string): boolean {
    const b = Buffer.from(given);
    return b.length === this.expected.length && timingSafeEqual(b, this.expected);
  }
}

/** The Host header values that reach us: the address we bound and its loopback aliases. */
export function hostNames(host: string, port: number): Set<string> {
  const names = new Set([`${host}:${port}`, `localhost:${port}`]);
  if (host.includes(":")) names.add(`[${host}]:${port}`);
  if (host === "localhost") names.add(`127.0.0.1:${port}`).add(`[::1]:${port}`);
  return names;
}

function bearer(req: Request): string | null {
  const h = req.headers.get("authorization");
  return h?.startsWith("Bearer ") ? h.slice(7).trim() : null;
}

function cookie(req: Request, name: string): string | null {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function originHost(origin: string): string {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return "";
  }
}
