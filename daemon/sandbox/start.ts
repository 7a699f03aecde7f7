// Setting the sandbox up at purpled's start: find what works here (detect.ts), say so in the log
// and on stderr when nothing does, and build the executor (agent channels are opened through the
// function it is given: control/agent-channel.ts openChannelFor).
import { dirname, join } from "node:path";
import type { Logger } from "../../lib/logger.ts";
import type { SandboxInfo } from "../../protocol/index.ts";
import { detectSandbox } from "./detect.ts";
import { LocalExecutor, type ChannelHandle } from "./executor.ts";

export interface StartedSandbox {
  info: SandboxInfo;
  executor: LocalExecutor;
}

/** Detect the sandbox (a real trial run, ~50 ms) and build the executor; logs what is in force. */
export function startSandbox(root: string, stateDir: string, adminSocket: string, off: boolean, openChannel: (plan: string, agent: string) => Promise<ChannelHandle>, logger: Logger): StartedSandbox {
  const detected = detectSandbox(join(stateDir, "sandbox"), off);
  const info = detected.info;
  // The admin socket's folder is hidden from every sandbox wherever it is (O/.purple is hidden anyway).
  const socketDir = dirname(adminSocket);
  const executor = new LocalExecutor({ root, stateDir, info, tools: detected.tools, hide: socketDir === stateDir ? [] : [socketDir], openChannel });
  if (info.kind === "none") {
    logger.error({ sandbox: info }, `${info.detail}. No agent or gate command will start; install what is missing, or write \`sandbox: off\` in O/purple.yaml to run them unsandboxed`);
    process.stderr.write(`purpled: ${info.detail}. No agent or gate command will start unless O/purple.yaml says \`sandbox: off\`.\n`);
  } else if (info.kind === "off") {
    logger.warn({ sandbox: info }, info.detail);
  } else {
    logger.info({ sandbox: info }, `sandbox: ${info.detail}`);
  }
  return { info, executor };
}
