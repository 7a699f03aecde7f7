// The yaml package, loaded on first use: ~70 modules and a few MB that an idle daemon does not
// need (it is loaded when the first plan or O/purple.yaml is read). Bun's require loads the ES
// module synchronously, so parsing stays synchronous; type-only imports of yaml cost nothing.
import type * as Yaml from "yaml";

let yaml: typeof Yaml | null = null;

/** The yaml module, loaded now if it was not yet. */
export function yamlModule(): typeof Yaml {
  return (yaml ??= require("yaml") as typeof Yaml);
}
