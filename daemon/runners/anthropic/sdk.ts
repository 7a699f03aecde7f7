// The Anthropic SDK, loaded on first use: it is ~15 MB of a daemon's memory, and a daemon that
// runs only command agents (or sits idle) never needs it. Bun's require loads the ES module
// synchronously, so callers stay synchronous; type-only imports of the SDK cost nothing. The
// ES build is named: a bare require would load the CommonJS build, whose error classes are not
// the ones `import "@anthropic-ai/sdk"` gives (instanceof across the two fails).
import type * as Sdk from "@anthropic-ai/sdk";

let sdk: typeof Sdk | null = null;

/** The SDK module, loaded now if it was not yet. */
export function anthropicSdk(): typeof Sdk {
  return (sdk ??= require("@anthropic-ai/sdk/index.mjs") as typeof Sdk);
}
