// What the scripted Messages-API server answers each demo agent: the turns a model would take,
// one tool call per turn, so the demo runs purple's real loop, tools and territory checks offline.
import type { ScriptStep } from "../test/support/scripted-api.ts";

const say = (text: string, name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "text", text }, { type: "tool_use", name, input }] } });

export const DEMO_SCRIPTS: Record<string, ScriptStep[]> = {
  content: [
    say("Starting on the greeting.", "start_ticket", { ticket_id: "HP-1" }),
    say("Writing it.", "write_file", { path: "site/content/greeting.txt", content: "Hello from purple\n" }),
    say("Done with HP-1.", "complete_ticket", { ticket_id: "HP-1" }),
    say("All my tickets are done.", "finish", { summary: "wrote site/content/greeting.txt" }),
  ],
  style: [
    say("Starting on the stylesheet.", "start_ticket", { ticket_id: "HP-2" }),
    say("Writing it.", "write_file", { path: "site/style/main.css", content: "body { color: rebeccapurple; font-family: sans-serif; }\n" }),
    say("Done with HP-2.", "complete_ticket", { ticket_id: "HP-2" }),
    say("All my tickets are done.", "finish", { summary: "wrote site/style/main.css" }),
  ],
  page: [
    say("Starting on the page.", "start_ticket", { ticket_id: "HP-3" }),
    say("Reading the greeting first.", "read_file", { path: "site/content/greeting.txt" }),
    say("Writing the page.", "write_file", { path: "site/index.html", content: '<link rel="stylesheet" href="style/main.css">\n<h1>Hello from purple</h1>\n' }),
    say("Done with HP-3.", "complete_ticket", { ticket_id: "HP-3" }),
    say("All my tickets are done.", "finish", { summary: "wrote site/index.html" }),
  ],
};

/** The same demo for Claude Code agents (--claude-code): its own tools, paths absolute under `root`. */
export function claudeDemoScripts(root: string): Record<string, ScriptStep[]> {
  const start = (ticketId: string) => say(`Starting ${ticketId}.`, "mcp__purple__purple_progress_start_ticket", { ticketId });
  const complete = (ticketId: string) => say(`Done with ${ticketId}.`, "mcp__purple__purple_progress_complete_ticket", { ticketId });
  const write = (path: string, content: string) => say("Writing it.", "Write", { file_path: `${root}/${path}`, content });
  const end = (text: string): ScriptStep => ({ reply: { content: [{ type: "text", text }] } });
  return {
    content: [start("HP-1"), write("site/content/greeting.txt", "Hello from purple\n"), complete("HP-1"), end("Wrote site/content/greeting.txt.")],
    style: [
      start("HP-2"),
      say("Writing the stylesheet with a shell command.", "Bash", { command: "mkdir -p site/style && echo 'body { color: rebeccapurple; font-family: sans-serif; }' > site/style/main.css", description: "write the stylesheet" }),
      complete("HP-2"),
      end("Wrote site/style/main.css."),
    ],
    page: [
      start("HP-3"),
      say("Reading the greeting first.", "Read", { file_path: `${root}/site/content/greeting.txt` }),
      write("site/index.html", '<link rel="stylesheet" href="style/main.css">\n<h1>Hello from purple</h1>\n'),
      complete("HP-3"),
      end("Wrote site/index.html."),
    ],
  };
}
