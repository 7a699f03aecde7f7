// The claude-code runner as purpled sets it up at start: the CLI found from O/purple.yaml or
// PATH, the stall time from the configuration. Without claude the engine has no claude-code
// runner, and an agent asking for one fails saying the runner is not available.
import type { Logger } from "../../../lib/logger.ts";
import { parseDuration, type DaemonConfig } from "../../../protocol/index.ts";
import { findClaude } from "../../../lib/find-claude.ts";
import { ClaudeCodeRunner } from "./runner.ts";

export function claudeCodeRunner(o: { config: DaemonConfig; root: string; apiKey: string | undefined; baseURL: string | undefined; logger: Logger }): ClaudeCodeRunner | null {
  const claude = findClaude(o.config, process.env, o.root);
  if (!claude) {
    o.logger.info("Claude Code (claude) not found on PATH nor as claudePath in purple.yaml: claude-code agents cannot run here");
    return null;
  }
  const stallMs = o.config.claudeStallTimeout ? parseDuration(o.config.claudeStallTimeout) : undefined;
  o.logger.info({ claude, ...(stallMs ? { stallMs } : {}) }, "claude-code runner ready");
  return new ClaudeCodeRunner({ claude, apiKey: o.apiKey, ...(o.baseURL ? { baseURL: o.baseURL } : {}), ...(stallMs ? { stallMs } : {}) });
}
