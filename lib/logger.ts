// The one logger factory: pino JSON on stderr, written synchronously (no transports: they lose lines
// on SIGTERM and fail in compiled binaries), with API keys scrubbed from every line.
import pino, { type Logger } from "pino";

export type { Logger };

const SECRET = /sk-ant-[\w-]+/g;

/** Replace anything that looks like an Anthropic key. */
export function scrubSecrets(text: string): string {
  return text.replace(SECRET, "sk-ant-[redacted]");
}

export function createLogger(level: string = "info", fd = 2): Logger {
  const dest = pino.destination({ fd, sync: true });
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: ["apiKey", "*.apiKey", "headers.authorization", "env.ANTHROPIC_API_KEY"], censor: "[redacted]" },
      hooks: {
        streamWrite: scrubSecrets,
      },
    },
    dest,
  );
}

/** A logger that drops everything (unit tests, benches). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
