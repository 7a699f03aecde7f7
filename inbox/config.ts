// The configuration for compiled plans: --config FILE, else O/purple.yaml, else the defaults
// (read by purpled at start and by purplectl validate --compile).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { yamlModule } from "../lib/yaml.ts";
import { DaemonConfig, PurpleError } from "../protocol/index.ts";

/** The configuration, or INVALID_PARAMS naming the file and every problem in it. */
export function loadConfig(orchestrationDir: string, explicit?: string): DaemonConfig {
  const path = explicit ?? join(orchestrationDir, "purple.yaml");
  if (!existsSync(path)) {
    if (explicit) throw new PurpleError("INVALID_PARAMS", `--config ${explicit} does not exist`);
    return DaemonConfig.parse({});
  }
  let raw: unknown;
  try {
    raw = yamlModule().parse(readFileSync(path, "utf8"), { maxAliasCount: 100 });
  } catch (err) {
    throw new PurpleError("INVALID_PARAMS", `${path} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = DaemonConfig.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ");
    throw new PurpleError("INVALID_PARAMS", `${path}: ${problems}`);
  }
  return parsed.data;
}
