// Writes protocol/schema/<name>.schema.json from the zod schemas (npm run schema); `--check` only compares.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PUBLISHED_SCHEMAS } from "./schemas.ts";

/** The JSON Schema text for every published schema, keyed by file name. */
export function renderSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
    out.set(`${name}.schema.json`, JSON.stringify({ $id: `purple/v1/${name}`, ...json }, null, 2) + "\n");
  }
  return out;
}

if (import.meta.main) {
  const dir = join(import.meta.dir, "schema");
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const [file, text] of renderSchemas()) {
    const path = join(dir, file);
    let current = "";
    try { current = readFileSync(path, "utf8"); } catch {}
    if (current === text) continue;
    stale++;
    if (check) console.error(`stale: ${path}`);
    else { writeFileSync(path, text); console.log(`wrote ${path}`); }
  }
  if (check && stale) process.exit(1);
}
