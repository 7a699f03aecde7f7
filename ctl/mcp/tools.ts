// The MCP tools of `purplectl mcp`: the Purple CLI's five status tools, whose input schemas are
// generated from the RPC params in protocol/rpc.ts. The plan (and by default the agent) come from
// the environment purple gives an agent, so a model never has to name them.
import { z } from "zod";
import { METHODS } from "../../protocol/rpc.ts";

export const TOOL_NAMES = ["purple_update_status", "purple_set_phase", "purple_report_progress", "purple_progress_start_ticket", "purple_progress_complete_ticket"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
export const isToolName = (n: unknown): n is ToolName => TOOL_NAMES.includes(n as ToolName);

const DESCRIPTIONS: Record<ToolName, string> = {
  purple_update_status: "Update the plan's status bar: the phase, the agent, its mode, the current ticket out of the total, the tool in use and the file being worked on.",
  purple_set_phase: "Set the phase (wave) the plan's status bar shows.",
  purple_report_progress: "Report progress in words, optionally with a percentage (0-100); it is recorded in the plan's status log.",
  purple_progress_start_ticket: "Mark a ticket as started (in_progress) in the plan's progress.json.",
  purple_progress_complete_ticket: "Mark a ticket as completed in the plan's progress.json.",
};

export interface McpTool {
  name: ToolName;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** The tool list; without a fixed plan, `plan` stays a required argument. */
export function toolList(fixedPlan: boolean): McpTool[] {
  return TOOL_NAMES.map((name) => ({ name, description: DESCRIPTIONS[name], inputSchema: inputSchema(name, fixedPlan) }));
}

function inputSchema(name: ToolName, fixedPlan: boolean): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(METHODS[name].params, { io: "input" }) as Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };
  if (!fixedPlan) return schema;
  const properties = { ...schema.properties };
  delete properties.plan;
  const required = (schema.required ?? []).filter((k) => k !== "plan");
  const { required: __, ...rest } = schema;
  return { ...rest, properties, ...(required.length ? { required } : {}) };
}

/** The RPC params for a tool call: the model's arguments plus the plan, and the agent when the tool takes one. */
export function toolParams(name: ToolName, args: unknown, env: { plan?: string; agent?: string }): Record<string, unknown> {
  const params: Record<string, unknown> = args && typeof args === "object" && !Array.isArray(args) ? { ...args } : {};
  if (env.plan) params.plan = env.plan;
  const takesAgent = "agent" in METHODS[name].params.shape;
  if (takesAgent && env.agent && params.agent === undefined) params.agent = env.agent;
  return params;
}
