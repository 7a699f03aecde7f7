// `purplectl mcp [--plan PLAN]`: the MCP server an agent (claude -p) is given. Tool calls are
// forwarded to purpled as the RPC method of the same name, the plan from --plan or $PURPLE_PLAN.
// The daemon is reached on first use and again after it went away; stdout carries only protocol.
import pkg from "../../package.json" with { type: "json" };
import type { Client } from "../client.ts";
import type { Ctx } from "../context.ts";
import { EXIT, failureOf } from "../errors.ts";
import { serveMcp, type ToolHost, type ToolResult } from "../mcp/server.ts";
import { isToolName, toolList, toolParams } from "../mcp/tools.ts";

/** Serve MCP on stdin/stdout until stdin ends. */
export async function mcp(ctx: Ctx): Promise<number> {
  const plan = ctx.flags.plan ?? process.env.PURPLE_PLAN ?? undefined;
  const agent = process.env.PURPLE_AGENT || undefined;
  let client: Client | null = null;
  const daemon = async (): Promise<Client> => {
    if (client) return client;
    const c = await ctx.connect();
    void c.closed.then(() => void (client === c && (client = null)));
    return (client = c);
  };
  const text = (t: string, isError = false): ToolResult => ({ content: [{ type: "text", text: t }], ...(isError ? { isError: true } : {}) });
  const host: ToolHost = {
    name: "purple",
    version: pkg.version,
    tools: () => toolList(Boolean(plan)),
    async call(name, args) {
      if (!isToolName(name)) return null;
      try {
        const result = await (await daemon()).call(name, toolParams(name, args, { plan, agent }) as never);
        return text(JSON.stringify(result));
      } catch (err) {
        return text(failureOf(err).message, true);
      }
    },
  };
  await serveMcp(Bun.stdin.stream(), (line) => process.stdout.write(line), host);
  return EXIT.ok;
}
