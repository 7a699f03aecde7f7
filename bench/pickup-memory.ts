// Where purpled's memory goes, for bench/pickup.ts: its VmRSS split by mapping (/proc/PID/smaps:
// the bun executable's own pages, shared libraries, anonymous memory — the JS heap and Bun's
// allocators —, JIT code) and the JS heap as the daemon sees it (bench/purpled-probe.ts, SIGUSR2).
import { existsSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import type { MemoryProbe } from "./purpled-probe.ts";

const MB = 1024 * 1024;

export function vmRssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

export interface Mappings {
  /** file pages of the bun executable (or the compiled purpled): code and read-only data, shared */
  executable: number;
  libraries: number;
  /** anonymous read-write: the JS heap, Bun's and libc's allocators, transpiled sources, thread stacks */
  anonymous: number;
  /** anonymous executable: JIT-compiled code */
  jit: number;
  other: number;
}

/** VmRSS of `pid` in MB, by kind of mapping. */
export function mappings(pid: number): Mappings {
  const exe = readlinkSync(`/proc/${pid}/exe`);
  const m: Mappings = { executable: 0, libraries: 0, anonymous: 0, jit: 0, other: 0 };
  let kind: keyof Mappings = "other";
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const [, perms, path] = head as unknown as [string, string, string];
      if (path === exe) kind = "executable";
      else if (path === "") kind = perms.includes("x") ? "jit" : "anonymous";
      else if (/\.so(\.|$)/.test(path)) kind = "libraries";
      else kind = "other";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) m[kind] += Number(rss[1]) / 1024;
  }
  return m;
}

/** Ask the probe in `pid` for its heap figures (written to `out`). */
export async function probe(pid: number, out: string): Promise<MemoryProbe> {
  rmSync(out, { force: true });
  process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + 10_000;
  while (!existsSync(out)) {
    if (Date.now() > deadline) throw new Error("bench/pickup: the memory probe did not answer");
    await Bun.sleep(10);
  }
  return JSON.parse(readFileSync(out, "utf8")) as MemoryProbe;
}

/** Lines saying where the memory goes. */
export function describe(rss: number, m: Mappings, p: MemoryProbe): string[] {
  const mb = (bytes: number) => (bytes / MB).toFixed(1);
  return [
    `    VmRSS ${rss.toFixed(1)} MB = the executable's own pages ${m.executable.toFixed(1)} (code, shared with every bun process) + anonymous ${m.anonymous.toFixed(1)} + JIT code ${m.jit.toFixed(1)} + shared libraries ${m.libraries.toFixed(1)} + other ${m.other.toFixed(1)}`,
    `    of the anonymous memory, after a full collection: JS heap ${mb(p.heapSize)} MB in use (${mb(p.heapCapacity)} reserved, ${p.objectCount} objects; most: ${p.topTypes.map(([t, n]) => `${t} ${n}`).join(", ")}), held outside it ${mb(p.extraMemorySize)} (buffers, external strings); the rest is Bun's and libc's allocators: parsed and transpiled module sources, bytecode, thread stacks, free pages not yet returned`,
  ];
}
