// A Model Context Protocol server over stdio: JSON-RPC 2.0, one message per line. It answers
// initialize, ping, tools/list and tools/call; notifications (initialized, cancelled) need no answer.
import type { McpTool } from "./tools.ts";

export const MCP_VERSIONS = ["2025-06-18", "2025-03-26", "2024-11-05"];

export interface ToolResult {
  content: { type: "text"; text: string }[];
  isError?: boolean;
}

export interface ToolHost {
  name: string;
  version: string;
  tools(): McpTool[];
  /** null for an unknown tool (a protocol error); otherwise the result, failures as isError */
  call(name: string, args: unknown): Promise<ToolResult | null>;
}

type Message = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
const ok = (id: unknown, result: unknown) => ({ jsonrpc: "2.0", id, result });
const err = (id: unknown, code: number, message: string) => ({ jsonrpc: "2.0", id, error: { code, message } });

/** The answer to one line, or null when it needs none. */
export async function handleMcpLine(line: string, host: ToolHost): Promise<object | null> {
  let msg: Message;
  try {
    msg = JSON.parse(line);
  } catch {
    return err(null, -32700, "parse error: the line is not JSON");
  }
  if (!msg || typeof msg !== "object" || typeof msg.method !== "string") {
    return msg && typeof msg === "object" && "id" in msg && !("result" in msg) && !("error" in msg) ? err(msg.id ?? null, -32600, "invalid request") : null;
  }
  const isNotification = !("id" in msg);
  const params = (msg.params && typeof msg.params === "object" ? msg.params : {}) as Record<string, unknown>;
  if (isNotification) return null; // notifications/initialized, notifications/cancelled, …
  switch (msg.method) {
    case "initialize": {
      const asked = typeof params.protocolVersion === "string" ? params.protocolVersion : "";
      return ok(msg.id, {
        protocolVersion: MCP_VERSIONS.includes(asked) ? asked : MCP_VERSIONS[0],
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: host.name, version: host.version },
      });
    }
    case "ping":
      return ok(msg.id, {});
    case "tools/list":
      return ok(msg.id, { tools: host.tools() });
    case "tools/call": {
      const result = await host.call(String(params.name), params.arguments ?? {});
      return result ? ok(msg.id, result) : err(msg.id, -32602, `unknown tool: ${String(params.name)}`);
    }
    default:
      return err(msg.id, -32601, `method not found: ${msg.method}`);
  }
}

/** Serve until `input` ends; answers may leave out of order, each when its call finishes. */
export async function serveMcp(input: AsyncIterable<Uint8Array>, write: (line: string) => void, host: ToolHost): Promise<void> {
  const decoder = new TextDecoder();
  const inFlight = new Set<Promise<void>>();
  let buf = "";
  const dispatch = (line: string) => {
    const p = handleMcpLine(line, host)
      .then((answer) => void (answer && write(`${JSON.stringify(answer)}\n`)))
      .catch((e) => write(`${JSON.stringify(err(null, -32603, (e as Error).message))}\n`))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  for await (const chunk of input) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) dispatch(line);
    }
  }
  if (buf.trim()) dispatch(buf.trim());
  await Promise.all(inFlight);
}
