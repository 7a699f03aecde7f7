// npm run bench: every benchmark in turn, each printing its own figures.
import { join } from "node:path";

const benches = (process.argv.slice(2).length ? process.argv.slice(2) : ["scheduler", "audit", "rpc", "hostile", "pickup", "sandbox", "makespan"]).map((b) => join(import.meta.dir, `${b}.ts`));
let failed = 0;
for (const file of benches) {
  const r = Bun.spawnSync([process.execPath, file], { stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) failed++;
  console.log();
}
process.exit(failed ? 1 : 0);
