// Gate commands taken from prose that cannot run unattended (SPEC §5, issue 12): they start a
// server, open a browser, call a service that must already be running, or hold a placeholder a
// person must fill in. Such a command becomes a `manual` check that shows it; nothing guesses.

/** The text a manual check made from a command starts with (the command follows in backticks). */
export const MANUAL_COMMAND_PREFIX = "Run by hand and confirm:";

const SERVES =
  /\btail\s+-\w*f|^\s*watch\b|\b(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?(?:dev|start|serve|preview)\b|\bnext (?:dev|start)\b|\bvite(?:\s|$)(?!.*\bbuild\b)|\bng serve\b|\bdocker[- ]compose (?:up|logs -f)\b(?!.*(?:\s-d\b|--detach))|--watch\b|\bnodemon\b|\bhttp\.server\b|\bhttp-server\b|\buvicorn\b(?!.*--help)|\bgunicorn\b|\bflask run\b|\bmanage\.py runserver\b|\brails (?:s|server)\b|\bphp -S\b|\bstreamlit run\b|&\s*$/;
const OPENS = /^\s*(?:open|xdg-open|start)\s|\blighthouse\b|\bplaywright (?:codegen|show-report)\b|\b(?:google-)?chrom(?:e|ium)\b|\bfirefox\b/;
const LOCAL_SERVICE = /\b(?:curl|wget|http|https|httpie|grpcurl|websocat|nc|redis-cli|psql|mysql)\b[^|;&]*(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|:\d{2,5}\b)/;
// `{test_doc_id}`, `<your-token>`, `YOUR_API_KEY`: a value a person supplies ( `${VAR}`, `{a,b}` globs
// and `< file` redirections are not placeholders; nor is Go's package pattern `./...`).
const PLACEHOLDER = /(?<![$\\])\{[A-Za-z_][\w-]*\}|<[A-Za-z][\w-]*(?:[ _-][\w-]+)*>|\bYOUR_[A-Z_]+\b|\bxxx+\b|(?<!\/)\.\.\.(?!\/)/;

/** Why a gate command needs a person, or null when it can run unattended. */
export function needsPerson(command: string): string | null {
  if (PLACEHOLDER.test(command)) return "it holds a placeholder a person must fill in";
  if (OPENS.test(command)) return "it opens a browser or another interactive program";
  if (SERVES.test(command)) return "it starts a server or watches, and would not finish by itself";
  if (LOCAL_SERVICE.test(command)) return "it calls a local service that must already be running";
  return null;
}

/** The manual check text that shows a command to run by hand. */
export function manualFor(command: string): string {
  return `${MANUAL_COMMAND_PREFIX} \`${command.replace(/`/g, "'")}\``;
}

/** The command a manual check shows, or null when it is not one made from a command. */
export function commandOfManual(text: string): string | null {
  if (!text.startsWith(MANUAL_COMMAND_PREFIX)) return null;
  const m = /`([^`]*)`\s*$/.exec(text);
  return m ? m[1]! : null;
}
