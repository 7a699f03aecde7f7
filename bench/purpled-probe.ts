// purpled as bench/pickup.ts runs it: daemon/main.ts itself, plus a SIGUSR2 handler that writes where
// the memory goes to $PURPLE_BENCH_MEMORY_OUT: process.memoryUsage() and JSC's heap statistics,
// taken after a full collection. Nothing is loaded for it until the signal comes (bun:jsc then).
import { renameSync, writeFileSync } from "node:fs";

export interface MemoryProbe {
  memoryUsage: NodeJS.MemoryUsage;
  /** JSC heap after Bun.gc(true): bytes in use, bytes reserved, memory held outside it (buffers, external strings) */
  heapSize: number;
  heapCapacity: number;
  extraMemorySize: number;
  objectCount: number;
  /** the object types with the most instances */
  topTypes: [string, number][];
}

process.on("SIGUSR2", async () => {
  const out = process.env.PURPLE_BENCH_MEMORY_OUT;
  if (!out) return;
  const { heapStats } = await import("bun:jsc");
  Bun.gc(true);
  const h = heapStats();
  const probe: MemoryProbe = {
    memoryUsage: process.memoryUsage(),
    heapSize: h.heapSize,
    heapCapacity: h.heapCapacity,
    extraMemorySize: h.extraMemorySize,
    objectCount: h.objectCount,
    topTypes: Object.entries(h.objectTypeCounts).sort((a, b) => b[1] - a[1]).slice(0, 6),
  };
  writeFileSync(`${out}.partial`, JSON.stringify(probe));
  renameSync(`${out}.partial`, out);
});

await import("../daemon/main.ts");
